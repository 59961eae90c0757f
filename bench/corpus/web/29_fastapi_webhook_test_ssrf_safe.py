import ipaddress
import socket
from urllib.parse import urlparse

import httpx
from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel

from hooks.auth import current_tenant

router = APIRouter(prefix="/v1/webhooks")


class WebhookTest(BaseModel):
    url: str
    event: str = "ping"


def _public_host(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return False
    for info in socket.getaddrinfo(parsed.hostname, parsed.port or 443):
        addr = ipaddress.ip_address(info[4][0])
        if addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_reserved:
            return False
    return True


@router.post("/test")
async def test_webhook(body: WebhookTest, tenant=Depends(current_tenant)):
    if not _public_host(body.url):
        raise HTTPException(status_code=400, detail="webhook URL must be a public http(s) address")
    payload = {"event": body.event, "tenant": tenant.id, "test": True}
    async with httpx.AsyncClient(timeout=5.0, follow_redirects=False) as client:
        try:
            resp = await client.post(body.url, json=payload)
        except httpx.HTTPError as exc:
            raise HTTPException(status_code=502, detail=str(exc))
    return {"status": resp.status_code, "body": resp.text[:2000]}
