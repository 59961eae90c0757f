import os

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from billing.auth import session_user
from billing.routers import invoices, payment_methods

app = FastAPI(title="billing", docs_url=None)

app.add_middleware(
    CORSMiddleware,
    allow_origin_regex=".*",
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)

app.include_router(invoices.router, dependencies=[Depends(session_user)])
app.include_router(payment_methods.router, dependencies=[Depends(session_user)])


@app.get("/healthz")
def healthz():
    return {"ok": True, "version": os.environ.get("BILLING_VERSION", "dev")}


@app.get("/me")
def me(user=Depends(session_user)):
    return {"id": user.id, "email": user.email, "plan": user.plan}
