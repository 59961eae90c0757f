"""Background task that mirrors user avatars from their identity provider."""
import hashlib
import logging

import requests
from celery import shared_task

from profiles.models import Profile
from profiles.storage import avatar_storage

LOG = logging.getLogger(__name__)
MAX_AVATAR = 2 * 1024 * 1024


@shared_task(bind=True, max_retries=3, acks_late=True)
def mirror_avatar(self, profile_id):
    profile = Profile.objects.get(pk=profile_id)
    if not profile.idp_avatar_url:
        return None
    try:
        resp = requests.get(profile.idp_avatar_url, stream=True, timeout=(5, 30))
        resp.raise_for_status()
    except requests.RequestException as exc:
        raise self.retry(exc=exc, countdown=60)
    chunks, size = [], 0
    for chunk in resp.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_AVATAR:
            LOG.warning("avatar for profile %s exceeds %d bytes", profile_id, MAX_AVATAR)
            return None
        chunks.append(chunk)
    data = b"".join(chunks)
    name = "avatars/%s.img" % hashlib.sha256(data).hexdigest()
    avatar_storage.save(name, data)
    profile.avatar_path = name
    profile.save(update_fields=["avatar_path"])
    return name
