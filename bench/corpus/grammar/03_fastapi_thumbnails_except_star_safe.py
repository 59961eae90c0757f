"""Thumbnails rendered concurrently; failures collected with `except*` (Python 3.11)."""
import asyncio
import logging
import subprocess

from fastapi import FastAPI

app = FastAPI()
LOG = logging.getLogger(__name__)


async def _render(source: str, size: str) -> None:
    cmd = ["convert", f"/srv/media/{source}", "-thumbnail", size, f"/srv/thumbs/{source}.png"]
    await asyncio.to_thread(subprocess.run, cmd, check=True)


@app.post("/thumbnails/{source}")
async def thumbnails(source: str, sizes: str = "64x64,256x256"):
    try:
        async with asyncio.TaskGroup() as group:
            for size in sizes.split(","):
                group.create_task(_render(source, size))
    except* subprocess.CalledProcessError as failed:
        LOG.warning("%d thumbnails failed for %s", len(failed.exceptions), source)
        return {"rendered": False}
    return {"rendered": True}
