from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel

from monitor.auth import current_user
from monitor.config import settings
from monitor.notify import get_user_channel, send_to_channel

router = APIRouter(prefix="/v1/alerts")


class AlertTest(BaseModel):
    channel_id: int
    message_template: str = "[{alert.severity}] {alert.name} on {alert.host}"


class _SampleAlert:
    severity = "critical"
    name = "disk_full"
    host = "db-01"
    value = 97.2

    def __init__(self, cfg):
        self.cfg = cfg


@router.post("/test-message")
async def test_message(body: AlertTest, user=Depends(current_user)):
    channel = await get_user_channel(user, body.channel_id)
    if channel is None:
        raise HTTPException(status_code=404, detail="no such channel")
    alert = _SampleAlert(settings)
    try:
        text = body.message_template.format(alert=alert)
    except (AttributeError, KeyError, IndexError, ValueError):
        raise HTTPException(status_code=422, detail="bad template")
    await send_to_channel(channel, text, requested_by=user.id)
    return {"sent": text}
