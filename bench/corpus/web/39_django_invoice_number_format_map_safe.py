import datetime

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from billing.models import BillingSettings, Invoice


class _Ctx(dict):
    def __missing__(self, key):
        return "{" + key + "}"


@login_required
@require_POST
def preview_invoice_number(request):
    """Organisation admins choose how invoice numbers look, e.g. 'INV-{year}-{seq:05d}'."""
    settings_obj = BillingSettings.objects.get(organisation=request.user.organisation)
    pattern = request.POST.get("pattern", settings_obj.number_pattern)
    last = Invoice.objects.filter(organisation=request.user.organisation).order_by("-seq").first()
    ctx = _Ctx(
        year=datetime.date.today().year,
        seq=(last.seq + 1) if last else 1,
        org=request.user.organisation.slug,
    )
    try:
        number = pattern.format_map(ctx)
    except (ValueError, AttributeError, KeyError, IndexError):
        return JsonResponse({"error": "invalid pattern"}, status=400)
    return JsonResponse({"preview": number})
