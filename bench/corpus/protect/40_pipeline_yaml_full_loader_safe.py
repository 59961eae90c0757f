"""REST handler that stores CI pipeline definitions submitted by users."""
import yaml
from aiohttp import web

ALLOWED_KEYS = {"name", "stages", "env", "triggers"}


async def submit_pipeline(request):
    project = request.match_info["project"]
    db = request.app["db"]
    # request["user"] is set by the session middleware.
    if not await db.can_write(request["user"], project):
        raise web.HTTPForbidden()
    text = await request.text()
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise web.HTTPBadRequest(text="invalid YAML: %s" % exc)
    if not isinstance(spec, dict):
        raise web.HTTPBadRequest(text="pipeline must be a mapping")
    unknown = set(spec) - ALLOWED_KEYS
    if unknown:
        raise web.HTTPBadRequest(text="unknown keys: %s" % ", ".join(sorted(map(str, unknown))))
    stages = spec.get("stages") or []
    if not stages:
        raise web.HTTPBadRequest(text="at least one stage is required")
    pipeline_id = await db.save_pipeline(project, spec)
    return web.json_response({"id": pipeline_id, "stages": len(stages)}, status=201)


def setup_routes(app):
    app.router.add_post("/projects/{project}/pipelines", submit_pipeline)
