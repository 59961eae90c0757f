import hashlib
import random
import string

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel

from devportal.auth import current_developer
from devportal.db import Database, get_db

router = APIRouter(prefix="/api/apps")
ALPHABET = string.ascii_letters + string.digits


def _chars(n):
    return "".join(random.choice(ALPHABET) for _ in range(n))


class NewApp(BaseModel):
    name: str
    callback_url: str


@router.post("", status_code=201)
async def register_app(body: NewApp, dev=Depends(current_developer), db: Database = Depends(get_db)):
    if await db.count_apps(dev.id) >= 20:
        raise HTTPException(status_code=409, detail="app limit reached")
    s = "app_" + _chars(40)
    app_id = await db.insert_app(
        owner=dev.id,
        name=body.name[:80],
        callback_url=body.callback_url,
        secret_sha256=hashlib.sha256(s.encode()).hexdigest(),
    )
    # Shown once; only the digest is kept.
    return {"id": app_id, "client_secret": s}


@router.delete("/{app_id}", status_code=204)
async def delete_app(app_id: int, dev=Depends(current_developer), db: Database = Depends(get_db)):
    if not await db.delete_app(app_id, owner=dev.id):
        raise HTTPException(status_code=404, detail="no such app")
