import secrets
import string

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from integrations.models import ApiKey

KEY_ALPHABET = string.ascii_letters + string.digits
KEY_LENGTH = 40


def _new_key():
    return "sk_" + "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


@login_required
@require_POST
def create_api_key(request):
    label = request.POST.get("label", "").strip()[:64] or "default"
    if ApiKey.objects.filter(owner=request.user, revoked=False).count() >= 10:
        return JsonResponse({"error": "too many active keys"}, status=400)
    raw = _new_key()
    key = ApiKey.objects.create(owner=request.user, label=label, prefix=raw[:7])
    key.set_secret(raw)
    key.save()
    # The raw key is only ever shown once.
    return JsonResponse({"id": key.pk, "label": label, "key": raw}, status=201)


@login_required
@require_POST
def revoke_api_key(request, key_id):
    updated = ApiKey.objects.filter(owner=request.user, pk=key_id).update(revoked=True)
    return JsonResponse({"revoked": bool(updated)})
