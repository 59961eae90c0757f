"""Which calls create a lock (and whether it is reentrant or async), and which identifiers are
named like a lock (`_lock`, `state_mutex`, `_cond`, but not `block` or `clock`)."""

from __future__ import annotations

import ast
import re

from secreview.analysis.context import FileContext

# qualified factory -> reentrant?
LOCK_FACTORIES: dict[str, bool] = {
    "threading.Lock": False,
    "threading.RLock": True,
    "threading.Condition": True,
    "threading.Semaphore": False,
    "threading.BoundedSemaphore": False,
    "_thread.allocate_lock": False,
    "thread.allocate_lock": False,
    "_thread.LockType": False,
    "multiprocessing.Lock": False,
    "multiprocessing.RLock": True,
    "multiprocessing.Condition": True,
    "multiprocessing.Semaphore": False,
    "multiprocessing.BoundedSemaphore": False,
    "eventlet.semaphore.Semaphore": False,
    "eventlet.semaphore.BoundedSemaphore": False,
    "eventlet.green.threading.Lock": False,
    "eventlet.green.threading.RLock": True,
    "gevent.lock.Semaphore": False,
    "gevent.lock.BoundedSemaphore": False,
    "gevent.lock.RLock": True,
    "asyncio.Lock": False,
    "asyncio.Condition": False,
    "asyncio.Semaphore": False,
    "asyncio.BoundedSemaphore": False,
    "anyio.Lock": False,
    "trio.Lock": False,
}
# Factories whose lock deadlocks when its holder takes it again (value-1 semaphores included).
_SEMAPHORES = {
    "threading.Semaphore",
    "threading.BoundedSemaphore",
    "multiprocessing.Semaphore",
    "multiprocessing.BoundedSemaphore",
    "eventlet.semaphore.Semaphore",
    "eventlet.semaphore.BoundedSemaphore",
    "gevent.lock.Semaphore",
    "gevent.lock.BoundedSemaphore",
}
ASYNC_FACTORIES = {
    "asyncio.Lock",
    "asyncio.Condition",
    "asyncio.Semaphore",
    "asyncio.BoundedSemaphore",
    "anyio.Lock",
    "trio.Lock",
}
_LOCK_WORDS = {
    "lock",
    "locks",
    "rlock",
    "mutex",
    "mtx",
    "sem",
    "sema",
    "semaphore",
    "cond",
    "condition",
    "cv",
    "lck",
    "guard",
}
_NOT_LOCK_WORDS = {"block", "blocks", "clock", "unlock", "unblock", "deadlock", "blocking", "flock"}
# Helpers whose job is to take a lock and hand it back to the caller.
LOCK_HELPER_NAMES = {
    "__enter__",
    "__aenter__",
    "acquire",
    "lock",
    "_acquire",
    "_lock",
    "enter",
    "setUp",
    "start",
    "begin",
    "take",
    "get_lock",
    "grab",
}


def _words(identifier: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", identifier)
    return [w for w in spaced.lower().split("_") if w]


def lockish_name(identifier: str) -> bool:
    """`_lock`, `state_mutex`, `_cond`, `rlock`, `dbLock` yes; `block`, `clock`, `unlock` no."""
    for word in _words(identifier):
        if word in _NOT_LOCK_WORDS:
            continue
        if word in _LOCK_WORDS or (word.endswith("lock") and len(word) > 4) or word.endswith("mutex"):
            return True
    return False


def lock_factory(ctx: FileContext, value: ast.AST | None) -> str | None:
    if isinstance(value, ast.Call):
        name = ctx.call_name(value)
        if name in LOCK_FACTORIES:
            return name
    return None


def is_reentrant(ctx: FileContext, factory_call: ast.Call) -> bool:
    name = ctx.call_name(factory_call) or ""
    if name in _SEMAPHORES:
        value = (
            factory_call.args[0]
            if factory_call.args
            else next((k.value for k in factory_call.keywords if k.arg == "value"), None)
        )
        # A counting semaphore may be taken twice; only a value-1 semaphore is a mutex.
        return not (value is None or (isinstance(value, ast.Constant) and value.value == 1))
    return LOCK_FACTORIES.get(name, True)
