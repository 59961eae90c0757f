import os
import subprocess
import tempfile

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_POST

from projects.models import Project


@require_POST
@permission_required("projects.export_project")
def export_project(request, slug):
    try:
        project = Project.objects.get(slug=slug)
    except Project.DoesNotExist:
        raise Http404
    label = request.POST.get("label") or project.slug
    archive = tempfile.TemporaryFile(prefix="export-")
    src = os.path.join(settings.PROJECT_ROOT, project.slug)
    subprocess.check_call(
        "tar --transform 's,^,%s/,' -czf - -C %s ." % (label, src),
        shell=True,
        stdout=archive,
    )
    archive.seek(0)
    response = FileResponse(archive, as_attachment=True,
                            filename="%s.tar.gz" % project.slug)
    return response
