import logging

from django.contrib.auth import authenticate, login
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.throttle import register_failure

logger = logging.getLogger("security.auth")


def _client_ip(request):
    return request.META.get("REMOTE_ADDR", "-")


@require_POST
def login_submit(request):
    username = request.POST.get("username", "")
    password = request.POST.get("password", "")
    user = authenticate(request, username=username, password=password)
    if user is None:
        register_failure(_client_ip(request), username)
        logger.warning("Failed login for user=%r from ip=%s", username, _client_ip(request))
        return render(request, "accounts/login.html", {"error": True}, status=401)
    login(request, user)
    logger.info("User %s logged in", user.pk)
    return redirect("dashboard")
