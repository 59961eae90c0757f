"""Deploy accounts: CI systems push artefacts with a name and a passphrase."""
import hashlib
import hmac
import os

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from artefacts.auth import require_admin
from artefacts.db import get_session
from artefacts.models import DeployAccount

router = APIRouter(prefix="/admin/deploy-accounts", dependencies=[Depends(require_admin)])


class NewAccount(BaseModel):
    name: str = Field(pattern=r"^[a-z][a-z0-9-]{2,31}$")
    passphrase: str = Field(min_length=12)


def _stored_form(secret: str, salt: bytes) -> str:
    digest = hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=2 ** 14, r=8, p=1)
    return digest.hex()


@router.post("", status_code=201)
def create_account(body: NewAccount, db: Session = Depends(get_session)):
    if db.query(DeployAccount).filter_by(name=body.name).first() is not None:
        raise HTTPException(status_code=409, detail="name taken")
    salt = os.urandom(16)
    account = DeployAccount(name=body.name, salt=salt, secret=_stored_form(body.passphrase, salt))
    db.add(account)
    db.commit()
    return {"id": account.id, "name": account.name}


def check_deploy_login(db: Session, name: str, passphrase: str) -> DeployAccount | None:
    account = db.query(DeployAccount).filter_by(name=name, enabled=True).first()
    if account is None or not hmac.compare_digest(account.secret, _stored_form(passphrase, account.salt)):
        return None
    return account
