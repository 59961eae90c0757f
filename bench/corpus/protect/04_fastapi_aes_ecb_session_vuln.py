import base64
import json
import os

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from fastapi import FastAPI, HTTPException, Request, Response

from .auth import authenticate

app = FastAPI()
SESSION_KEY = base64.b64decode(os.environ["SESSION_KEY"])


def encrypt_session(data: dict) -> str:
    padder = padding.PKCS7(128).padder()
    raw = padder.update(json.dumps(data).encode()) + padder.finalize()
    enc = Cipher(algorithms.AES(SESSION_KEY), modes.ECB()).encryptor()
    return base64.urlsafe_b64encode(enc.update(raw) + enc.finalize()).decode()


def decrypt_session(token: str) -> dict:
    raw = base64.urlsafe_b64decode(token.encode())
    dec = Cipher(algorithms.AES(SESSION_KEY), modes.ECB()).decryptor()
    padded = dec.update(raw) + dec.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return json.loads(unpadder.update(padded) + unpadder.finalize())


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
