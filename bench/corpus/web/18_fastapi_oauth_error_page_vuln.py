from typing import Optional

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse

router = APIRouter()

ERROR_TEMPLATE = """<!doctype html>
<html><head><title>Sign-in failed</title></head>
<body>
  <h1>Sign-in failed</h1>
  <p>The identity provider returned: <code>{error}</code></p>
  <p>{description}</p>
  <a href="/login">Try again</a>
</body></html>"""


@router.get("/oauth/callback")
async def oauth_callback(
    code: Optional[str] = None,
    state: Optional[str] = None,
    error: Optional[str] = None,
    error_description: Optional[str] = None,
):
    if error:
        return HTMLResponse(
            ERROR_TEMPLATE.format(error=error, description=error_description or ""),
            status_code=400,
        )
    if not code or not state:
        return RedirectResponse("/login?retry=1")
    return RedirectResponse(f"/login/complete?code={code}&state={state}")
