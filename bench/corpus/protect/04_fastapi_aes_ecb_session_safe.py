import base64
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import FastAPI, HTTPException, Request, Response

from .auth import authenticate

app = FastAPI()
SESSION_KEY = base64.b64decode(os.environ["SESSION_KEY"])


def encrypt_session(data: dict) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(SESSION_KEY).encrypt(nonce, json.dumps(data).encode(), None)
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt_session(token: str) -> dict:
    raw = base64.urlsafe_b64decode(token.encode())
    try:
        plain = AESGCM(SESSION_KEY).decrypt(raw[:12], raw[12:], None)
    except InvalidTag:
        raise HTTPException(status_code=401)
    return json.loads(plain)


@app.post("/session")
async def create_session(request: Request, response: Response):
    body = await request.json()
    user = await authenticate(body.get("username", ""), body.get("password", ""))
    if user is None:
        raise HTTPException(status_code=401, detail="invalid credentials")
    response.set_cookie("sess", encrypt_session({"uid": user.id, "role": user.role}),
                        httponly=True, secure=True)
    return {"ok": True}


@app.get("/me")
async def me(request: Request):
    token = request.cookies.get("sess")
    if not token:
        raise HTTPException(status_code=401)
    return decrypt_session(token)
