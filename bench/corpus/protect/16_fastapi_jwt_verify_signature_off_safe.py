from pathlib import Path

import jwt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

app = FastAPI()
bearer = HTTPBearer()
JWT_PUBLIC_KEY = Path("/etc/projects-api/jwt_public.pem").read_text()


def current_claims(creds: HTTPAuthorizationCredentials = Depends(bearer)) -> dict:
    try:
        claims = jwt.decode(
            creds.credentials,
            JWT_PUBLIC_KEY,
            algorithms=["RS256"],
            options={"require": ["exp", "sub"]},
        )
    except jwt.PyJWTError as exc:
        raise HTTPException(status_code=401, detail=str(exc))
    if "sub" not in claims:
        raise HTTPException(status_code=401, detail="token has no subject")
    return claims


@app.get("/projects")
def list_projects(claims: dict = Depends(current_claims)):
    return {"owner": claims["sub"], "projects": claims.get("projects", [])}


@app.delete("/projects/{project_id}")
def delete_project(project_id: str, claims: dict = Depends(current_claims)):
    if "admin" not in claims.get("roles", []):
        raise HTTPException(status_code=403)
    return {"deleted": project_id}
