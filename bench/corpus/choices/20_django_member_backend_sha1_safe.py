"""Authentication against the member table imported from the old PHP site."""
import hashlib
import hmac
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend

from legacy.models import Member


def encode(raw, salt):
    h = hashlib.pbkdf2_hmac("sha256", raw.encode("utf-8"), salt.encode("ascii"), 600_000)
    return "%s$%s" % (salt, h.hex())


def verify(raw, stored):
    salt, _, _ = stored.partition("$")
    return hmac.compare_digest(encode(raw, salt), stored)


def set_member_password(member, raw):
    member.passwd = encode(raw, os.urandom(12).hex())
    member.save(update_fields=["passwd"])


class MemberBackend(BaseBackend):

    def authenticate(self, request, username=None, password=None):
        member = Member.objects.filter(username=username, active=True).select_related("user").first()
        if member is None or not verify(password or "", member.passwd):
            return None
        return member.user

    def get_user(self, user_id):
        return get_user_model().objects.filter(pk=user_id, is_active=True).first()
