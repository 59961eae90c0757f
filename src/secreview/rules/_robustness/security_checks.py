"""Security checks and their exceptions: broad or security-exception handlers, handlers that only
pass or log, access decisions that fail open on an exception, and calls whose job is to raise when a
check fails."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from secreview.analysis.context import FileContext
from secreview.rules._robustness.catching import handler_names
from secreview.rules._robustness.value_use import block_after

# -- security checks and their exceptions ----------------------------------------------------------
SECURITY_EXCEPTION = re.compile(
    r"^(InvalidSignature|BadSignature|BadTimeSignature|SignatureExpired|BadData|BadPayload|InvalidToken\w*|"
    r"ExpiredSignature\w*|InvalidSignatureError|ImmatureSignatureError|InvalidAudience\w*|InvalidIssuer\w*|"
    r"DecodeError|PyJWTError|JWTError|JWSError|JOSEError|InvalidKeyError|CertificateError|SSLError|"
    r"SSLCertVerificationError|PermissionDenied|PermissionError|Forbidden|HTTPForbidden|NotAuthorized|"
    r"PolicyNotAuthorized|Unauthorized|HTTPUnauthorized|AuthenticationFailed|AuthenticationError|"
    r"AuthorizationError|AccessDenied|NotAuthenticated|VerificationError|VerifyMismatchError|InvalidHash|"
    r"SuspiciousOperation|CSRFError|ValidationError|InvalidKey|InvalidTag|InvalidMac|BadMac|BadSignatureError)$"
)
_LOGGING_RECEIVER = re.compile(
    r"(^|\.)_*(log|logger|logging|LOG|LOGGER|log_\w+|\w+_log|\w+_logger|warnings)$", re.I
)
_LOGGING_CALLS = frozenset(
    {
        "builtins.print",
        "warnings.warn",
        "traceback.print_exc",
        "sys.stderr.write",
        "logging.exception",
        "logging.error",
        "logging.warning",
        "logging.info",
        "logging.debug",
        "logging.critical",
        "logging.warn",
    }
)


def broad_or_security_handler(ctx: FileContext, handler: ast.ExceptHandler) -> str | None:
    """`except:` / `Exception` / a security exception: the name to show, else None."""
    if handler.type is None:
        return "a bare `except:`"
    for name in handler_names(ctx, handler):
        short = name.rsplit(".", 1)[-1]
        if short in {"Exception", "BaseException"} or SECURITY_EXCEPTION.match(short):
            return f"`except {short}`"
    return None


def is_logging_call(ctx: FileContext, call: ast.AST) -> bool:
    if not isinstance(call, ast.Call):
        return False
    name = ctx.call_name(call) or ""
    if name in _LOGGING_CALLS:
        return True
    receiver, _, _ = name.rpartition(".")
    return bool(receiver) and bool(_LOGGING_RECEIVER.search(receiver))


def swallows(ctx: FileContext, handler: ast.ExceptHandler) -> bool:
    """The handler only passes or logs: nothing returns, raises, records the failure or leaves the loop."""
    for stmt in handler.body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # docstring-like comment or `...`
        if isinstance(stmt, ast.Expr) and is_logging_call(ctx, stmt.value):
            continue
        return False
    return True


ACCESS_FUNCTION = re.compile(
    r"^_*(is_|has_|can_|check_|verify|validate|authenticate|authori[sz]e|allow|permit|may_|user_can|"
    r"is_valid|ensure_|require_|assert_)",
    re.I,
)
_ACCESS_WORDS = re.compile(
    r"(allow|authori[sz]|authent|perm|access|valid|verif|trust|safe|signature|token|passw|admin|owner|csrf|"
    r"acl|polic|role|privilege|login|credential|cert|hostname|origin|referr?er|redirect|scope|grant|"
    r"can_(view|edit|delete|access|read|write|modify|manage|admin|update|create|see|change))",
    re.I,
)
_DENY_WORDS = re.compile(
    r"(expired|locked|blocked|denied|deny|forbidden|revoked|invalid|banned|disabled|required|restricted|"
    r"blacklist|denylist|limited|throttl|suspicious|malicious|unsafe|untrusted|need|must|reject|stale|"
    r"missing|empty|fail)",
    re.I,
)


def decides_access(name: str) -> bool:
    """`is_authorized`, `check_permission`, `verify_token`, `can_edit`: True means "let it through"."""
    return (
        bool(ACCESS_FUNCTION.match(name))
        and bool(_ACCESS_WORDS.search(name))
        and not _DENY_WORDS.search(name)
    )


def _says_no(func: ast.AST) -> bool:
    """The function answers "no" through its result somewhere: a `return` of anything but a truthy
    literal (`return False`, `return None`, a bare `return`, a computed value)."""
    return any(isinstance(node, ast.Return) and not truthy_return(node) for node in walk_function(func))


def walk_function(func: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function's body, not those of functions or classes nested in it."""
    stack = list(ast.iter_child_nodes(func))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def truthy_return(stmt: ast.AST) -> bool:
    """`return True` (or a literal "allow"-like answer)."""
    if not isinstance(stmt, ast.Return) or stmt.value is None:
        return False
    value = stmt.value
    if isinstance(value, ast.Constant):
        return value.value is True or (
            isinstance(value.value, str)
            and value.value.lower() in {"allow", "allowed", "permit", "grant", "granted", "ok"}
        )
    return False


_NOT_FOUND = re.compile(
    r"(DoesNotExist|NotFound|NoResultFound|KeyError|LookupError|IndexError|StopIteration|ImportError|"
    r"NotImplementedError|FileExistsError|NoSuch|Missing)"
)


def fail_open(ctx: FileContext, handler: ast.ExceptHandler) -> tuple[str, str, ast.stmt] | None:
    """(function name, handler kind, the granting return) when an access decision grants on an exception."""
    func = ctx.enclosing_function(handler)
    if func is None or not decides_access(func.name):
        return None
    kind = broad_or_security_handler(ctx, handler)
    if kind is None:
        names = [n.rsplit(".", 1)[-1] for n in handler_names(ctx, handler)]
        if not names or any(_NOT_FOUND.search(n) for n in names):
            return None  # "not found" may honestly mean yes (a free user name, an absent lock)
        if not _says_no(func):
            # Its result is never "no" (it denies by raising), so the `return True` in a handler of a
            # named, non-security error (a lookup service that cannot be reached) gates nothing.
            return None
        kind = f"`except {', '.join(names)}`"
    for stmt in handler.body:
        if truthy_return(stmt):
            return func.name, kind, stmt
    try_stmt = ctx.parent(handler)
    if isinstance(try_stmt, ast.Try) and not try_stmt.orelse and swallows(ctx, handler):
        after = block_after(ctx, try_stmt)
        if after and truthy_return(after[0]) and ctx.parent(try_stmt) is func:
            return func.name, kind, after[0]
    return None


_CHECK_NAME = re.compile(
    r"^_*(verify|verify_\w+|authenticate|authenticate_\w+|authori[sz]e|authori[sz]e_\w+|enforce|"
    r"check_perms?|check_permissions?|has_perms?|has_permission|check_password|check_auth\w*|check_access\w*|"
    r"check_token|check_signature|check_csrf\w*|check_hostname|match_hostname|unsign|check_policy|"
    r"require_\w*(perm|auth|login|admin|role|scope|owner|access)\w*|"
    r"assert_\w*(perm|access|owner|auth|admin|role)\w*|validate_\w*(token|signature|sig|cert|auth|passw|csrf|"
    r"hmac|jwt|credential|perm|access|origin|referr?er|redirect|session|otp|mac)\w*)$",
    re.I,
)
_CHECK_QUALNAMES = frozenset(
    {
        "jwt.decode",
        "jose.jwt.decode",
        "jwt.api_jwt.decode",
        "jwt.api_jws.decode",
        "ssl.match_hostname",
        "authlib.jose.jwt.decode",
    }
)


def security_check(ctx: FileContext, call: ast.AST) -> str | None:
    """The name of a call whose job is to raise when a security check fails, or None."""
    if isinstance(call, ast.Await):
        call = call.value
    if not isinstance(call, ast.Call):
        return None
    name = ctx.call_name(call) or ""
    if name in _CHECK_QUALNAMES:
        return name
    if isinstance(call.func, ast.Attribute):
        short, receiver = call.func.attr, ctx.qualname(call.func.value) or ""
    elif isinstance(call.func, ast.Name):
        short, receiver = call.func.id, ""
    else:
        return None
    if _CHECK_NAME.match(short):
        return name or short
    if short == "can" and re.search(r"(context|ctxt|ctx)$", receiver):
        return name or short
    return None


# -- a denial raised inside a try and swallowed by the try's own handler ---------------------------
_UNRELATED_BUILTINS = frozenset({"ValueError", "KeyError", "TypeError", "IndexError", "AttributeError",
                                 "LookupError", "OSError", "IOError", "ImportError", "RuntimeError",
                                 "StopIteration", "ZeroDivisionError", "UnicodeError", "UnicodeDecodeError",
                                 "TimeoutError", "ConnectionError", "NotImplementedError"})  # fmt: skip


def swallowed_denial(ctx: FileContext, handler: ast.ExceptHandler) -> ast.Raise | None:
    """The `raise HTTPUnauthorized()`-like denial in the try's body that this handler catches and only
    logs or passes, so the code after the `try` runs as if access had been granted; None otherwise.
    A handler of the same try before it that may catch the denial (`except HTTPException: raise`) wins."""
    try_stmt = ctx.parent(handler)
    if not isinstance(try_stmt, ast.Try) or try_stmt.finalbody or not swallows(ctx, handler):
        return None
    if broad_or_security_handler(ctx, handler) is None:
        return None
    earlier = try_stmt.handlers[: try_stmt.handlers.index(handler)]
    if any(not _unrelated(ctx, h) for h in earlier):
        return None
    caught = {n.rsplit(".", 1)[-1] for n in handler_names(ctx, handler)}
    for node in walk_function_stmts(try_stmt.body):
        if not isinstance(node, ast.Raise) or node.exc is None or _innermost_try(ctx, node) is not try_stmt:
            continue
        target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        short = (ctx.qualname(target) or "").rsplit(".", 1)[-1]
        if not SECURITY_EXCEPTION.match(short) or short in ("ValidationError", "SSLError", "PermissionError"):
            continue  # a denial of access, not an input or transport error
        if handler.type is None or caught & {"Exception", "BaseException", short}:
            return node
    return None


def _unrelated(ctx: FileContext, handler: ast.ExceptHandler) -> bool:
    """A handler that catches only built-in errors no access denial derives from."""
    names = [n.rsplit(".", 1)[-1] for n in handler_names(ctx, handler)]
    return bool(names) and all(n in _UNRELATED_BUILTINS for n in names)


def _innermost_try(ctx: FileContext, node: ast.AST) -> ast.Try | None:
    """The nearest `try` whose body holds `node` (a raise in a handler or `finally` escapes that try)."""
    child = node
    for anc in ctx.ancestors(node):
        if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return None
        if isinstance(anc, ast.Try) and any(child is s for s in anc.body):
            return anc
        child = anc
    return None


def walk_function_stmts(stmts: list[ast.stmt]) -> Iterator[ast.AST]:
    """The nodes of a statement list, not those of functions or classes nested in it."""
    for stmt in stmts:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield stmt
        yield from walk_function(stmt)
