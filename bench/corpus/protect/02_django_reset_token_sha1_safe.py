import hashlib
import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import PasswordResetToken, Member


def _fingerprint(raw_token):
    # Only the fingerprint is stored so a DB leak does not hand out live tokens.
    return hashlib.sha256(raw_token.encode()).hexdigest()


@require_POST
def request_password_reset(request):
    email = request.POST.get("email", "").strip()
    member = Member.objects.filter(email__iexact=email, is_active=True).first()
    if member is not None:
        raw = secrets.token_urlsafe(32)
        PasswordResetToken.objects.create(
            member=member,
            token_hash=_fingerprint(raw),
            expires_at=timezone.now() + settings.PASSWORD_RESET_TTL,
        )
        send_mail(
            "Reset your password",
            "Use this link: %s/reset/%s" % (settings.SITE_URL, raw),
            settings.DEFAULT_FROM_EMAIL,
            [member.email],
        )
    # Same answer either way so the endpoint does not reveal accounts.
    return JsonResponse({"status": "ok"})
