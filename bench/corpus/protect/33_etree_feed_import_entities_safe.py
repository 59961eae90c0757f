"""Import product catalogue feeds that partners POST as XML."""
import defusedxml.ElementTree as ET
from defusedxml import DefusedXmlException

from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from catalogue.auth import partner_from_request
from catalogue.models import Product
from catalogue.pricing import to_cents


@csrf_exempt
@require_POST
def import_feed(request):
    partner = partner_from_request(request)
    if partner is None:
        return JsonResponse({"error": "unknown partner"}, status=403)
    try:
        root = ET.fromstring(request.body)
    except (ET.ParseError, DefusedXmlException) as exc:
        return JsonResponse({"error": "bad XML: %s" % exc}, status=400)
    created = updated = 0
    with transaction.atomic():
        for item in root.iter("product"):
            sku = item.findtext("sku", "").strip()
            if not sku:
                continue
            _, was_created = Product.objects.update_or_create(
                partner=partner,
                sku=sku,
                defaults={
                    "title": item.findtext("title", "")[:200],
                    "price_cents": to_cents(item.findtext("price")),
                },
            )
            created += was_created
            updated += not was_created
    return JsonResponse({"created": created, "updated": updated})
