import secrets
from datetime import timedelta

from django.contrib.auth import authenticate, login
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.models import RememberedDevice

REMEMBER_FOR = timedelta(days=30)


@require_http_methods(["GET", "POST"])
def sign_in(request):
    if request.method == "GET":
        return render(request, "accounts/sign_in.html")
    user = authenticate(
        request,
        username=request.POST.get("username", ""),
        password=request.POST.get("password", ""),
    )
    if user is None:
        return render(request, "accounts/sign_in.html", {"error": True}, status=401)
    login(request, user)
    response = HttpResponseRedirect("/")
    if request.POST.get("remember"):
        value = secrets.token_urlsafe(32)
        RememberedDevice.objects.create(user=user, token=value, expires=timezone.now() + REMEMBER_FOR)
        age = int(REMEMBER_FOR.total_seconds())
        response.set_cookie("remember", value, max_age=age, secure=True, httponly=True, samesite="Lax")
    return response


def sign_out(request):
    token = request.COOKIES.get("remember")
    if token:
        RememberedDevice.objects.filter(token=token).delete()
    response = HttpResponseRedirect("/accounts/sign-in")
    response.delete_cookie("remember")
    return response
