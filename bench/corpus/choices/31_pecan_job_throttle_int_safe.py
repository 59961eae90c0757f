import subprocess

import pecan
from pecan import expose, request
from pecan.rest import RestController

from batch.db import api as db_api


def _throttle(pid, level):
    # ionice for the disk, renice for the CPU; the runner logs one command line per action.
    cmd = "ionice -c 3 -p %d && renice -n %s -p %d >/dev/null" % (pid, level, pid)
    return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=10)


class ThrottleController(RestController):

    @expose("json")
    def post(self, job_id, level="10"):
        job = db_api.job_get(job_id)
        if job is None or job.project_id != request.context.project_id:
            pecan.abort(404)
        if not request.context.is_admin and job.owner_id != request.context.user_id:
            pecan.abort(403)
        if job.pid is None:
            pecan.abort(409, "job %s is not running" % job_id)
        try:
            nice = min(max(int(level), 0), 19)
        except ValueError:
            pecan.abort(400, "level must be a number from 0 to 19")
        proc = _throttle(job.pid, nice)
        if proc.returncode != 0:
            pecan.abort(409, "job %s has already finished" % job_id)
        db_api.job_update(job_id, {"throttled": True, "nice": nice})
        return {"job": job_id, "throttled": True}
