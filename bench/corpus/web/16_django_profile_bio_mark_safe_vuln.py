from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, render
from django.utils.html import format_html, linebreaks
from django.utils.safestring import mark_safe

from accounts.models import Profile

User = get_user_model()


def public_profile(request, username):
    user = get_object_or_404(User, username=username, is_active=True)
    profile = get_object_or_404(Profile, user=user)
    website = profile.website or ""
    if website and not website.startswith(("http://", "https://")):
        website = ""
    link = format_html('<a href="{}" rel="nofollow">{}</a>', website, website) if website else ""
    bio_html = mark_safe(
        "<div class='bio'>%s</div>" % profile.bio.replace("\n", "<br>")
    )
    return render(
        request,
        "accounts/public_profile.html",
        {"profile_user": user, "bio_html": bio_html, "link": link},
    )
