import datetime

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from billing.models import Invoice


def _parse_date(value, default):
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return default


@login_required
@require_GET
def sales_report(request):
    today = datetime.date.today()
    start = _parse_date(request.GET.get("from"), today.replace(day=1))
    end = _parse_date(request.GET.get("to"), today)
    region = request.GET.get("region", "EU")
    invoices = Invoice.objects.raw(
        "SELECT id, number, customer_id, total, issued_on FROM billing_invoice "
        "WHERE region = '%s' AND issued_on BETWEEN '%s' AND '%s' "
        "ORDER BY issued_on" % (region, start, end)
    )
    data = [
        {
            "number": inv.number,
            "customer": inv.customer_id,
            "total": str(inv.total),
            "issued_on": inv.issued_on.isoformat(),
        }
        for inv in invoices
    ]
    return JsonResponse({"region": region, "invoices": data})
