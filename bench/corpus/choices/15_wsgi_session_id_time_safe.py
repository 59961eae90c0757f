"""Small server-side session store for the internal WSGI dashboards."""
import secrets
import threading
import time
from http.cookies import SimpleCookie

COOKIE = "dash"
IDLE_LIMIT = 1800


class SessionStore:

    def __init__(self):
        self._data = {}
        self._lock = threading.Lock()

    def _new_key(self, user):
        return "%s-%s" % (user, secrets.token_urlsafe(32))

    def create(self, user):
        key = self._new_key(user)
        with self._lock:
            self._data[key] = {"user": user, "seen": time.monotonic()}
        return key

    def get(self, key):
        with self._lock:
            entry = self._data.get(key)
            if entry is None or time.monotonic() - entry["seen"] > IDLE_LIMIT:
                self._data.pop(key, None)
                return None
            entry["seen"] = time.monotonic()
            return entry["user"]

    def drop(self, key):
        with self._lock:
            self._data.pop(key, None)


def session_user(environ, store):
    cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
    morsel = cookie.get(COOKIE)
    return store.get(morsel.value) if morsel else None


def session_header(key):
    return ("Set-Cookie", "%s=%s; Path=/; Secure; HttpOnly; SameSite=Strict" % (COOKIE, key))
