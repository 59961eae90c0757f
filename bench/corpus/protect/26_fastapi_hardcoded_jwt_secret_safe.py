import datetime
import os

import jwt
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from .users import authenticate

app = FastAPI()

JWT_SECRET = os.environ["JWT_SECRET"]
JWT_ALGORITHM = "HS256"
TOKEN_TTL = datetime.timedelta(hours=8)


class LoginRequest(BaseModel):
    username: str
    password: str


def issue_token(user):
    now = datetime.datetime.now(datetime.timezone.utc)
    claims = {"sub": str(user.id), "roles": user.roles, "iat": now, "exp": now + TOKEN_TTL}
    return jwt.encode(claims, JWT_SECRET, algorithm=JWT_ALGORITHM)


@app.post("/token")
def token(body: LoginRequest):
    user = authenticate(body.username, body.password)
    if user is None:
        raise HTTPException(status_code=401, detail="invalid credentials")
    return {"access_token": issue_token(user), "token_type": "bearer"}


def verify(token_value: str) -> dict:
    try:
        return jwt.decode(token_value, JWT_SECRET, algorithms=[JWT_ALGORITHM])
    except jwt.PyJWTError:
        raise HTTPException(status_code=401, detail="invalid token")
