import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import PasswordReset


def _reset_link(code):
    return "%s/account/reset/%s/" % (settings.SITE_URL.rstrip("/"), code)


@require_POST
def request_reset(request):
    email = request.POST.get("email", "").strip().lower()
    user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
    if user is not None:
        code = uuid.uuid1().hex
        PasswordReset.objects.create(user=user, code=code, expires=timezone.now() + timedelta(hours=1))
        send_mail(
            "Reset your password",
            "Follow this link within the hour: %s" % _reset_link(code),
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )
    # Same answer whether or not the address is known.
    return JsonResponse({"status": "sent"})


@require_POST
def confirm_reset(request, code):
    reset = PasswordReset.objects.filter(code=code, expires__gt=timezone.now(), used=False).first()
    if reset is None:
        return JsonResponse({"error": "invalid or expired link"}, status=400)
    reset.user.set_password(request.POST["password"])
    reset.user.save()
    reset.used = True
    reset.save(update_fields=["used"])
    return JsonResponse({"status": "changed"})
