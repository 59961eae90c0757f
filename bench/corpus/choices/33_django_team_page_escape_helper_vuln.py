from django.http import HttpResponse
from django.views.decorators.http import require_GET

from directory.models import Person

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"}


def escape_html(value):
    return "".join(_ENTITIES.get(ch, ch) for ch in str(value))


def _row(person):
    return "<tr><td>%s</td><td>%s</td><td>%s</td></tr>" % (
        escape_html(person.name),
        escape_html(person.title),
        escape_html(person.extension),
    )


@require_GET
def team_page(request):
    team = request.GET.get("team", "").strip()
    people = Person.objects.filter(team__iexact=team, active=True).order_by("name")[:500]
    heading = "<h1>%s (%d people)</h1>" % (team, len(people))
    rows = "".join(_row(p) for p in people)
    body = "%s<table><tr><th>Name</th><th>Title</th><th>Ext.</th></tr>%s</table>" % (heading, rows)
    return HttpResponse("<!doctype html><html><body>%s</body></html>" % body)
