import json

from django.contrib.auth.decorators import login_required
from django.core.validators import validate_email
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from accounts.emails import send_confirmation


@csrf_protect
@login_required
@require_POST
def change_email(request):
    """Called by the account settings page (fetch with a JSON body)."""
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": "invalid json"}, status=400)
    new_email = (data.get("email") or "").strip().lower()
    try:
        validate_email(new_email)
    except ValidationError:
        return JsonResponse({"error": "invalid email"}, status=400)
    user = request.user
    old_email = user.email
    user.email = new_email
    user.save(update_fields=["email"])
    send_confirmation(user, old_email=old_email)
    return JsonResponse({"email": new_email})
