import re
import subprocess

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest, JsonResponse

BRANCH_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,99}")


def _repo_path(slug):
    return settings.REPOSITORIES.get(slug)


@login_required
def branch_log(request, slug):
    repo = _repo_path(slug)
    if repo is None:
        return JsonResponse({"error": "unknown repository"}, status=404)
    branch = request.GET.get("branch", "main")
    try:
        limit = min(int(request.GET.get("limit", "20")), 200)
    except ValueError:
        return HttpResponseBadRequest("limit must be a number")
    if not BRANCH_RE.match(branch):
        return HttpResponseBadRequest("invalid branch name")
    cmd = "git -C %s log --format='%%H%%x09%%an%%x09%%s' -n %d %s -- | head -c 200000" % (repo, limit, branch)
    proc = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20)
    if proc.returncode != 0:
        return HttpResponseBadRequest("no such branch")
    entries = []
    for line in proc.stdout.splitlines():
        sha, author, subject = line.split("\t", 2)
        entries.append({"sha": sha, "author": author, "subject": subject})
    return JsonResponse({"branch": branch, "entries": entries})
