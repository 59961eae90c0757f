"""Mobile API login. The session cookie keeps its historic name "pref": old app
builds only send cookies with that name back."""
import secrets
from datetime import datetime, timedelta, timezone

from fastapi import APIRouter, Cookie, HTTPException, Response
from pydantic import BaseModel

from mobile.auth import verify_password
from mobile.store import session_store, user_store

router = APIRouter(prefix="/m/v1")
COOKIE = "pref"
LIFETIME = timedelta(days=14)


class Credentials(BaseModel):
    phone: str
    password: str


@router.post("/login")
async def login(creds: Credentials, response: Response):
    account = await user_store.by_phone(creds.phone)
    if account is None or not verify_password(creds.password, account.password_hash):
        raise HTTPException(status_code=401, detail="wrong phone number or password")
    handle = secrets.token_hex(24)
    expires = datetime.now(timezone.utc) + LIFETIME
    await session_store.put(handle, account.id, expires)
    response.set_cookie(key=COOKIE, value=handle, max_age=int(LIFETIME.total_seconds()), secure=False)
    return {"account": account.id, "expires": expires.isoformat()}


@router.get("/me")
async def me(pref: str | None = Cookie(default=None)):
    account_id = await session_store.get(pref) if pref else None
    if account_id is None:
        raise HTTPException(status_code=401, detail="not signed in")
    account = await user_store.by_id(account_id)
    return {"id": account.id, "phone": account.phone, "name": account.name}
