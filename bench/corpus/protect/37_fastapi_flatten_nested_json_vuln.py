"""Internal indexing service (cluster network only): flatten JSON documents into dotted keys."""
from typing import Any, Dict

from fastapi import FastAPI, HTTPException, Request

app = FastAPI()


def flatten(value: Any, prefix: str = "", out: Dict[str, Any] = None) -> Dict[str, Any]:
    if out is None:
        out = {}
    if isinstance(value, dict):
        for key, item in value.items():
            flatten(item, "%s.%s" % (prefix, key) if prefix else str(key), out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            flatten(item, "%s[%d]" % (prefix, i), out)
    else:
        out[prefix] = value
    return out


@app.post("/index/{collection}")
async def index_document(collection: str, request: Request):
    doc = await request.json()
    if not isinstance(doc, dict):
        raise HTTPException(status_code=400, detail="document must be an object")
    fields = flatten(doc)
    if len(fields) > 10000:
        raise HTTPException(status_code=413, detail="too many fields")
    await request.app.state.index.put(collection, fields)
    return {"collection": collection, "fields": len(fields)}
