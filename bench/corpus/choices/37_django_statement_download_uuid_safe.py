import os
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.views.decorators.http import require_GET

STATEMENT_ROOT = os.path.join(settings.MEDIA_ROOT, "statements")


def _statement_dir(user):
    return os.path.join(STATEMENT_ROOT, str(user.pk))


@login_required
@require_GET
def statement_list(request):
    folder = _statement_dir(request.user)
    names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
    return JsonResponse({"statements": [name[:-4] for name in names if name.endswith(".pdf")]})


@login_required
@require_GET
def statement_download(request):
    try:
        ref = str(uuid.UUID(request.GET["id"]))
    except (KeyError, ValueError):
        raise Http404("no such statement") from None
    path = os.path.join(_statement_dir(request.user), ref + ".pdf")
    if not os.path.isfile(path):
        raise Http404("no such statement")
    return FileResponse(open(path, "rb"), as_attachment=True, filename="statement-%s.pdf" % ref[:8])
