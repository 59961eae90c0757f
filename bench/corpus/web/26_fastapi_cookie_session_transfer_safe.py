import hmac
from decimal import Decimal

from fastapi import APIRouter, Cookie, Depends, Form, Header, HTTPException
from fastapi.responses import RedirectResponse

from bank.auth import session_user
from bank.ledger import transfer_funds

router = APIRouter()


def require_csrf(
    csrf_cookie: str = Cookie(None, alias="csrftoken"),
    csrf_header: str = Header(None, alias="X-CSRF-Token"),
):
    if not csrf_cookie or not csrf_header or not hmac.compare_digest(csrf_cookie, csrf_header):
        raise HTTPException(status_code=403, detail="CSRF check failed")


@router.post("/transfers", dependencies=[Depends(require_csrf)])
async def create_transfer(
    to_account: str = Form(...),
    amount: Decimal = Form(...),
    memo: str = Form(""),
    user=Depends(session_user),
):
    if amount <= 0:
        raise HTTPException(status_code=400, detail="amount must be positive")
    transfer = await transfer_funds(user.account_id, to_account, amount, memo=memo)
    return RedirectResponse(f"/transfers/{transfer.id}", status_code=303)
