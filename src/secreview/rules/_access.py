"""Private helpers for the access-control, exposure and CSRF rules (SR2xx).

Not a rule module (leading underscore). Everything here is AST-only and narrows
where the rules fire: which identifiers hold a secret, which literals look like
a real secret rather than a field name or a placeholder, which values come from
a web request, which modules are Django settings, which files are tests.
"""

from __future__ import annotations

import ast
import functools
import re
import string
from collections.abc import Iterable, Iterator
from pathlib import PurePath

from secreview.analysis.context import FileContext, FunctionNode
from secreview.analysis.flow import REQUEST_ATTRS, REQUEST_OBJECTS, Source, external_source, reaching_value
from secreview.analysis.values import is_literal, literal_value, module_constant
from secreview.analysis.words import identifier_of, names_secret


def word_set(text: str) -> frozenset[str]:
    """A frozenset of the whitespace-separated words of `text` (for long vocabularies)."""
    return frozenset(text.split())


# -- files ------------------------------------------------------------------------------


_TEST_DIRS = {"tests", "test", "testing", "unittests", "functional_tests"}
_TEST_MODULES = word_set(
    """
    unittest pytest testtools oslotest mock nose hypothesis testscenarios fixtures
    """
)


@functools.lru_cache(maxsize=4096)
def is_test_path(path: str) -> bool:
    """Under tests/ (or test/, testing/ ...), or a conftest.py: test code by location alone."""
    parts = PurePath(path.replace("\\", "/")).parts
    name = parts[-1] if parts else ""
    return name == "conftest.py" or any(p in _TEST_DIRS for p in parts[:-1])


def is_test_code(ctx: FileContext) -> bool:
    """Test code: by location (`is_test_path`), or a test_*.py / *_test.py / tests.py module that also
    looks like tests (imports a test framework or a `test` module, defines test_* functions or a TestCase).
    A file merely named test_*.py is not enough: snippets under review are often named that way."""
    return ctx.memo("access-test-code", ctx.tree, lambda: _is_test_module(ctx))


def _is_test_module(ctx: FileContext) -> bool:
    if is_test_path(ctx.path):
        return True
    name = PurePath(ctx.path.replace("\\", "/")).name
    if not (name.startswith("test_") or name.endswith("_test.py") or name in {"tests.py", "test.py"}):
        return False
    return _looks_like_tests(ctx)


def _looks_like_tests(ctx: FileContext) -> bool:
    for target in ctx.imports.values():
        parts = target.lstrip(".").split(".")
        if parts[0] in _TEST_MODULES or "test" in parts or "tests" in parts:
            return True
    for node in ast.walk(ctx.tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"):
            return True
        if isinstance(node, ast.ClassDef) and (
            node.name.startswith("Test")
            or any((ctx.qualname(b) or "").endswith("TestCase") for b in node.bases)
        ):
            return True
    return False


_SETTINGS_NAMES = {"INSTALLED_APPS", "MIDDLEWARE", "MIDDLEWARE_CLASSES", "ROOT_URLCONF", "WSGI_APPLICATION"}
_DEV_FILES = re.compile(
    r"^(dev|develop|development|local|local_settings|test|tests|testing|ci|debug)(_settings)?$"
)


def module_assignments(ctx: FileContext) -> dict[str, list[ast.Assign | ast.AnnAssign]]:
    """Module-level `NAME = value` statements by name (including those inside if/try blocks)."""

    def compute() -> dict[str, list[ast.Assign | ast.AnnAssign]]:
        table: dict[str, list[ast.Assign | ast.AnnAssign]] = {}
        for stmt in _module_statements(ctx.tree.body):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    table.setdefault(target.id, []).append(stmt)
        return table

    return ctx.memo("access-module-assignments", ctx.tree, compute)


def _module_statements(body: list[ast.stmt]) -> Iterator[ast.Assign | ast.AnnAssign]:
    for stmt in body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            yield stmt
        elif isinstance(stmt, ast.If):
            yield from _module_statements(stmt.body)
            yield from _module_statements(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            yield from _module_statements(stmt.body)


def is_settings_module(ctx: FileContext) -> bool:
    """A Django-style settings module: settings.py / settings/*.py, or one defining INSTALLED_APPS etc."""
    parts = PurePath(ctx.path.replace("\\", "/")).parts
    stem = PurePath(parts[-1]).stem if parts else ""
    if stem == "settings" or stem.endswith("_settings") or "settings" in parts[:-1]:
        return True
    return bool(_SETTINGS_NAMES & set(module_assignments(ctx)))


def is_dev_settings(ctx: FileContext) -> bool:
    """A settings file meant for development or tests (settings/dev.py, local_settings.py ...), or a
    framework's table of defaults (django/conf/global_settings.py)."""
    parts = PurePath(ctx.path.replace("\\", "/")).parts
    stem = (PurePath(parts[-1]).stem if parts else "").lower()
    if stem in ("global_settings", "default_settings", "defaults"):
        return True
    return bool(_DEV_FILES.match(stem)) or is_test_code(ctx)


def is_module_level(ctx: FileContext, node: ast.AST) -> bool:
    return ctx.enclosing_function(node) is None and ctx.enclosing_class(node) is None


# -- secrets by name --------------------------------------------------------------------

_SECRET_NOUNS = word_set(
    """
    password passwd pwd passphrase secret token apikey credential credentials passcode
    """
)
# not "session": Django's session keys
_KEY_QUALIFIERS = word_set(
    """
    api secret private access signing encryption master hmac jwt fernet shared auth client app
    """
)
_NOT_A_SECRET_TOKEN = word_set(
    """
    next page pagination continuation sync cancel cancellation start end eos bos pad unk sep cls mask
    special stop idempotency marker resume last prev previous first split separator delimiter comment
    lexer parse string word sentence char newline indent dedent template block variable name op operator
    input output update change client request state result limit
    """
)
_NOT_A_PASS = word_set(
    """
    first second third last next by single multi render shadow one two skip can should must to will did
    does fast slow final initial main extra compile optimization forward backward test lint check
    """
)
_NEGATING = word_set(
    """
    fake dummy mock example sample placeholder invalid wrong bad bogus test masked redacted hidden
    obfuscated mask sanitized unusable no empty null blank expired revoked old previous
    """
)


def split_words(identifier: str) -> list[str]:
    """`dbPassword2` -> ["db", "password"]; `X-Auth-Token` -> ["x", "auth", "token"]."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", identifier)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", spaced)
    words = [w.rstrip("0123456789") for w in re.split(r"[^A-Za-z0-9]+", spaced.lower())]
    return [w for w in words if w]


def ambiguous_secret(identifier: str) -> bool:
    """A bare `token`/`tok`: a lexer or parser token unless the surrounding code deals with auth."""
    return identifier.lower().lstrip("_") in {"token", "tok", "tokens"}


def secret_identifier(identifier: str) -> bool:
    """The identifier names the secret itself: `db_password`, `API_KEY`, `auth_token`, `DB_PASS`.

    Stricter than `words.names_secret`: the LAST word must be the secret noun, so
    `password_hasher`, `token_provider` and `secret_backend` are not secrets, and
    pagination/lexer tokens (`next_token`, `eos_token`) and `fake_password` are not either.
    """
    words = split_words(identifier)
    if not words:
        return False
    if words[-1] in ("pass", "pw") and len(words) > 1 and not set(words[:-1]) & (_NEGATING | _NOT_A_PASS):
        return True  # DB_PASS, admin_pw
    if not names_secret(identifier):
        return False
    if any(w in _NEGATING for w in words[:-1]):
        return False
    last = words[-1]
    before = words[-2] if len(words) > 1 else ""
    if last == "key":
        return before in _KEY_QUALIFIERS
    if last == "token" and before in _NOT_A_SECRET_TOKEN:
        return False
    return last in _SECRET_NOUNS or last.endswith(("password", "passwd", "secret", "token", "apikey"))


AUTH_CONTEXT = re.compile(
    r"auth|login|bearer|session|header|keystone|oauth|jwt|credential|passw|api_?key|"
    r"logout|sign_?in|identity",
    re.IGNORECASE,
)


def auth_context(ctx: FileContext, node: ast.AST) -> bool:
    """The enclosing function (or module) deals with authentication: names or strings mention auth,
    login, bearer, session, headers, passwords ... (so a bare `token` there is a credential)."""
    func = ctx.enclosing_function(node)
    scope = func if func is not None else ctx.tree

    def compute() -> bool:
        if func is not None and AUTH_CONTEXT.search(func.name):
            return True
        for sub in ast.walk(scope):
            text = identifier_of(sub) or (sub.value if isinstance(sub, ast.Constant) else "")
            if isinstance(text, str) and text and AUTH_CONTEXT.search(text):
                return True
        return False

    return ctx.memo("access-auth-function", scope, compute)


# -- secrets by value -------------------------------------------------------------------

_NOT_SECRET_VALUES = word_set(
    """
    none null true false undefined empty unset required optional hidden masked redacted default bearer
    basic digest plain text string keyring vault env file prompt ask auto disabled enabled yes off
    sha256 sha512 bcrypt argon2 pbkdf2 utf-8 utf8 ascii oauth oauth2 jwt fernet uuid password token
    secret passwd apikey api_key not-set notset your-secret ... pass pword
    """
)
_DOC_VALUE = re.compile(r"example|sample|dummy|fake|placeholder|your[_-]|<your|xxxx", re.IGNORECASE)
_PHRASE_OK = ("secret", "secretkey", "passphrase")  # identifiers whose value may be a phrase with spaces
_PLACEHOLDER = re.compile(
    r"%\(\w+\)[sdr]|%[sdr]\b|\{\w*(![rsa])?(:[^}]*)?\}|\$\{|\{\{|\$[A-Za-z_]\w*$|^<.*>$|^\[.*\]$"
)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_FILE = re.compile(
    r"^[\w.-]+\.(json|ya?ml|txt|pem|key|crt|cer|cfg|ini|conf|env|toml|p12|pfx|jks|db|sqlite3?|gpg|asc)$",
    re.IGNORECASE,
)
_CONSTANT_NAME = re.compile(r"^[A-Z]+(_[A-Z0-9]+)*$")
_LOWER_NAME = re.compile(r"^(_+[a-z]+|_*[a-z]+([_.:-][a-z]+)+)$")
_WORDY_NAME = re.compile(r"^[A-Za-z_][A-Za-z_.:-]*$")
_SECRETISH_WORDS = word_set(
    """
    password passwd pwd secret token key apikey passphrase credential credentials auth authorization pin
    """
)


def secret_value(value: object, identifier: str) -> bool:
    """Does a literal assigned to `identifier` look like a real credential?

    No for: short values (< 4 chars), placeholders and templates (`<password>`,
    `${PASSWORD}`, `%(password)s`, `{}`), masks (`****`, `xxxx`), URLs and file
    paths, prose and labels ("Enter password:", "API Key"), and names: the
    identifier itself or one of its words (`PASSWORD = "password"`), constant or
    environment-variable names (`"DB_PASSWORD"`), dotted/dashed/snake/camel names
    (`"x-auth-token"`, `"accessToken"`) and setting values (`"bearer"`, `"vault"`).
    A default credential such as "changeme", "admin" or "hunter2" IS a secret.
    """
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        return False
    text = value.strip()
    if len(text) < 4 or text.lower() in _NOT_SECRET_VALUES:
        return False
    if (
        _PLACEHOLDER.search(text)
        or _DOC_VALUE.search(text)
        or "***" in text
        or len(set(text)) == 1
        or set(text) <= set("*xX#.-_?")
    ):
        return False
    if _URL.match(text) or text.startswith(("/", "./", "../", "~", "\\")) or re.match(r"^[A-Za-z]:\\", text):
        return False
    if _FILE.match(text):
        return False
    ident_words = split_words(identifier)
    if " " in text or "\t" in text or "\n" in text:
        words = text.split()
        if text.endswith((":", "?", ".", "!")) or len(words) >= 5 or text[0].isupper():
            return False
        if not "".join(ident_words).endswith(_PHRASE_OK):
            return False  # "is not", "Bearer abc": a password or token has no spaces
    relaxed = "".join(ident_words).endswith("secretkey")  # SECRET_KEY = "secret" is a weak key, not a name
    norm = re.sub(r"[^a-z0-9]", "", text.lower())
    if norm == "".join(ident_words) or (not relaxed and text.lower() in ident_words):
        return False
    if _CONSTANT_NAME.match(text) or _LOWER_NAME.match(text):
        return False
    # "AWSSecretKey", "accessToken", "Access-Control-Allow-Credentials" are names, not secrets
    return not (_WORDY_NAME.match(text) and set(split_words(text)) & _SECRETISH_WORDS)


# Flask config keys that `hardcoded-crypto-key` (CWE-321) reports on `app.config[...]`/`app.config.update()`.
FLASK_KEY_SETTINGS = frozenset(
    {"SECRET_KEY", "JWT_SECRET_KEY", "WTF_CSRF_SECRET_KEY", "SECURITY_PASSWORD_SALT"}
)


_AUTH_HEADERS = {"authorization", "proxy-authorization"}
_TOKEN_HEADERS = word_set(
    """
    x-api-key api-key x-auth-token private-token x-access-token x-token x-apikey x-subject-token
    """
)


def header_secret(name: str, value: object) -> bool:
    """A literal credential in an HTTP header: `"Authorization": "Bearer eyJ..."`, `"X-API-Key": "..."`."""
    key = name.lower()
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        return False
    if key in _AUTH_HEADERS:
        parts = value.split()
        scheme_ok = len(parts) == 2 and parts[0].lower() in {"bearer", "basic", "token", "apikey", "digest"}
        return scheme_ok and secret_value(parts[1], "token")
    return key in _TOKEN_HEADERS and secret_value(value, "token")


def literal_secret(expr: ast.AST | None) -> object | None:
    """The str/bytes value of a constant, or None."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, (str, bytes)):
        return expr.value
    return None


def describe_value(value: object) -> str:
    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return f'"{text[:2]}..."' if len(text) > 6 else '"..."'


# Cookie names that carry a session or a credential.
SESSION_COOKIE = re.compile(
    r"sess|(^|[^a-z])sid($|[^a-z])|auth|token|jwt|remember|passw|secret|api_?key|"
    r"credential|identity|user_?id",
    re.IGNORECASE,
)


# -- web request sources ----------------------------------------------------------------

_WEB_DESCRIPTIONS = ("request data", "the route parameter", "data read from a socket")
# Calls whose result no longer carries the caller's text: numbers, lengths, hashes, local URL builders.
NEUTRAL_CALLS = word_set(
    """
    int float bool len hash UUID url_for reverse reverse_lazy resolve_url md5 sha1 sha256 hexdigest
    digest isdigit isalnum exists isfile isdir startswith endswith
    """
)
PATH_NEUTRAL_CALLS = NEUTRAL_CALLS | {"basename", "secure_filename", "safe_join", "quote", "quote_plus"}


_WEB_FRAMEWORKS = word_set(
    """
    flask django starlette fastapi pecan webob aiohttp bottle tornado falcon pyramid sanic quart
    werkzeug cherrypy rest_framework horizon openstack_dashboard wsgiref
    """
)
# Functions (module-level, imported) whose result still carries their argument's text.
_CARRIERS = word_set(
    """
    join str urljoin format unquote unquote_plus normpath abspath realpath expanduser Path PurePath
    PosixPath fspath dirname strip lower upper replace decode encode urlunparse urlunsplit quote
    quote_plus
    """
)


def is_web_file(ctx: FileContext) -> bool:
    """The module imports a web framework (so a bare `request` is an HTTP request)."""
    return ctx.memo(
        "access-web-file",
        ctx.tree,
        lambda: any(v.lstrip(".").split(".")[0] in _WEB_FRAMEWORKS for v in ctx.imports.values()),
    )


def is_request_value(ctx: FileContext, node: ast.AST) -> bool:
    if not (isinstance(node, ast.Attribute) and node.attr in REQUEST_ATTRS):
        return False
    base = ctx.qualname(node.value)
    if base not in REQUEST_OBJECTS:
        return False
    return "." in base and base != "self.request" or is_web_file(ctx)


def web_source(
    ctx: FileContext, expr: ast.AST | None, neutral: frozenset[str] = NEUTRAL_CALLS, depth: int = 4
) -> Source | None:
    """Request data, a route parameter or socket data flowing into `expr` within its function.

    Like `flow.external_source`, but ignores the command line and the environment (a CLI
    user choosing a path or URL is not an attacker), counts a bare `request` only in a
    module that imports a web framework (`requests.PreparedRequest` is not client data),
    does not look inside calls that neutralize the value (`int()`, `len()`, `url_for()`,
    `basename()` ... per `neutral`), and follows a plain function call only when it
    carries its argument's text (`os.path.join`, `str`, `urljoin` ...): what an arbitrary
    helper returns is not assumed to be the client's text.
    """
    if expr is None or depth < 0:
        return None
    stack: list[ast.AST] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Call):
            name = ctx.call_name(node) or ""
            last = name.rsplit(".", 1)[-1].rstrip("()")
            if last in neutral:
                continue
            if isinstance(node.func, ast.Attribute) and node.func.attr in {"recv", "recvfrom"}:
                return Source(node, "data read from a socket")
            if _is_function(ctx, node) and last not in _CARRIERS:
                continue
        elif isinstance(node, ast.Compare):
            continue  # a comparison yields a bool, not the text
        if is_request_value(ctx, node):
            return Source(node, f"request data ({ctx.segment(node) or node.attr})")  # type: ignore[attr-defined]
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            found = external_source(ctx, node, 0)
            if found and found.description.startswith(_WEB_DESCRIPTIONS):
                return found
            value = reaching_value(ctx, node)
            if value is not None and value is not expr and not is_literal(value, ctx):
                inner = web_source(ctx, value, neutral, depth - 1)
                if inner:
                    return inner
            continue
        if isinstance(node, ast.IfExp):
            stack.extend((node.body, node.orelse))
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return None


def _is_function(ctx: FileContext, call: ast.Call) -> bool:
    """A call of a plain or imported function (`helper(x)`, `utils.build(x)`), not a method on a value."""
    func = call.func
    if isinstance(func, ast.Name):
        return True
    if isinstance(func, ast.Attribute) and any(is_request_value(ctx, n) for n in ast.walk(func.value)):
        return False  # request.args.get(...): a method on request data
    while isinstance(func, ast.Attribute):
        func = func.value
    return isinstance(func, ast.Name) and func.id in ctx.imports


# -- URLs: is the host part controlled? ---------------------------------------------------


def url_parts(ctx: FileContext, expr: ast.AST, depth: int = 2) -> list[str | ast.expr] | None:
    """A built URL as literal text and interpolated expressions, in order; None when not built."""
    if isinstance(expr, ast.Name) and depth > 0:
        value = reaching_value(ctx, expr)
        if value is not None and not is_literal(value, ctx):
            inner = url_parts(ctx, value, depth - 1)
            if inner is not None:
                return inner
        return None
    if isinstance(expr, ast.JoinedStr):
        parts: list[str | ast.expr] = []
        for value in expr.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue):
                parts.append(value.value)
        return parts
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        left = url_parts(ctx, expr.left, 0) if isinstance(expr.left, (ast.BinOp, ast.JoinedStr)) else None
        right = url_parts(ctx, expr.right, 0) if isinstance(expr.right, (ast.BinOp, ast.JoinedStr)) else None
        return [
            *(left if left is not None else [_piece(expr.left)]),
            *(right if right is not None else [_piece(expr.right)]),
        ]
    if (
        isinstance(expr, ast.BinOp)
        and isinstance(expr.op, ast.Mod)
        and isinstance(expr.left, ast.Constant)
        and isinstance(expr.left.value, str)
    ):
        return _percent_parts(expr.left.value, expr.right)
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "format"
        and isinstance(expr.func.value, ast.Constant)
        and isinstance(expr.func.value.value, str)
    ):
        return _format_parts(expr.func.value.value, expr)
    return None


def _piece(expr: ast.expr) -> str | ast.expr:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    return expr


def _percent_parts(template: str, right: ast.expr) -> list[str | ast.expr] | None:
    args = right.elts if isinstance(right, ast.Tuple) else [right]
    named = {}
    if isinstance(right, ast.Dict):
        named = {
            k.value: v for k, v in zip(right.keys, right.values, strict=False) if isinstance(k, ast.Constant)
        }
    parts: list[str | ast.expr] = []
    pos, index = 0, 0
    for match in re.finditer(r"%(\((\w+)\))?[-#0 +]*\d*(\.\d+)?([sdrifxXeEgGco%])", template):
        parts.append(template[pos : match.start()])
        pos = match.end()
        if match.group(4) == "%":
            parts.append("%")
            continue
        if match.group(2):
            parts.append(named.get(match.group(2), right))
        elif index < len(args):
            parts.append(args[index])
            index += 1
        else:
            return None
    parts.append(template[pos:])
    return parts


def _format_parts(template: str, call: ast.Call) -> list[str | ast.expr] | None:
    parts: list[str | ast.expr] = []
    auto = 0
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    for literal, field, _, _ in parsed:
        parts.append(literal)
        if field is None:
            continue
        head = re.split(r"[.\[]", field, maxsplit=1)[0]
        if head == "":
            value = call.args[auto] if auto < len(call.args) else None
            auto += 1
        elif head.isdigit():
            value = call.args[int(head)] if int(head) < len(call.args) else None
        else:
            value = keywords.get(head)
        if value is None:
            return None
        parts.append(value)
    return parts


def controls_host(prefix: str, relative_ok: bool = True) -> bool:
    """Given the literal text before an outside value, can that value decide the host?

    Yes when nothing precedes it, or only a scheme and (part of) a host (`"https://"`,
    `"http://{x}"`); with `relative_ok=False` also after a lone "/" or "\\" (a
    redirect to "/" + value gives "//evil.example"). No once a path, query or
    fragment has started after the host.
    """
    if prefix == "":
        return True
    if "://" in prefix:
        rest = prefix.split("://", 1)[1]
        return not any(c in rest for c in "/?#\\")
    return not relative_ok and prefix in ("/", "\\")


def host_source(
    ctx: FileContext, expr: ast.AST | None, neutral: frozenset[str] = NEUTRAL_CALLS, relative_ok: bool = True
) -> Source | None:
    """The outside value that decides the host (or the whole target) of a URL, or None."""
    if expr is None:
        return None
    if isinstance(expr, ast.Call) and (ctx.call_name(expr) or "").endswith("urljoin"):
        # urljoin(base, "https://evil/x") returns the second URL: either argument decides the host.
        return next(filter(None, (web_source(ctx, a, neutral) for a in expr.args[:2])), None)
    parts = url_parts(ctx, expr)
    if parts is None:
        return web_source(ctx, expr, neutral)
    prefix = ""
    for part in parts:
        if isinstance(part, str):
            prefix += part
            continue
        found = web_source(ctx, part, neutral)
        if found:
            return found if controls_host(prefix, relative_ok) else None
        prefix += "X"
    return None


# -- function-level facts -----------------------------------------------------------------


def function_calls(ctx: FileContext, func: ast.AST) -> list[tuple[str, ast.Call]]:
    """(last segment of the call name, call) for every call in the function or module."""

    def compute() -> list[tuple[str, ast.Call]]:
        found = []
        for node in ast.walk(func):
            if isinstance(node, ast.Call):
                name = ctx.call_name(node) or (node.func.attr if isinstance(node.func, ast.Attribute) else "")
                found.append((name.rsplit(".", 1)[-1].rstrip("()"), node))
        return found

    return ctx.memo("access-calls", func, compute)


def calls_any(ctx: FileContext, func: ast.AST | None, names: Iterable[str]) -> bool:
    wanted = set(names)
    return func is not None and any(last in wanted for last, _ in function_calls(ctx, func))


def calls_matching(ctx: FileContext, func: ast.AST | None, pattern: re.Pattern[str]) -> bool:
    return func is not None and any(pattern.search(last) for last, _ in function_calls(ctx, func))


def compares_attribute(func: ast.AST | None, attrs: set[str]) -> bool:
    """A comparison in the function that reads one of these attributes/names (`parsed.netloc != ...`)."""
    if func is None:
        return False
    for node in ast.walk(func):
        if isinstance(node, ast.Compare):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Attribute) and sub.attr in attrs:
                    return True
                if isinstance(sub, ast.Name) and sub.id in attrs:
                    return True
    return False


def allowlist_test(ctx: FileContext, func: ast.AST | None, names: set[str] | None = None) -> bool:
    """`if name in ALLOWED` / `if x not in allowed_files`: membership of one of `names` (any name when
    None) in a collection that is not itself request data."""
    if func is None:
        return False
    for node in ast.walk(func):
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
            right, left = node.comparators[-1], node.left
            if names is not None and not (isinstance(left, ast.Name) and left.id in names):
                continue
            if isinstance(left, (ast.Name, ast.Attribute)) and not (
                isinstance(right, ast.Constant) or web_source(ctx, right)
            ):
                return True
    return False


def names_feeding(ctx: FileContext, expr: ast.AST, depth: int = 3) -> set[str]:
    """Local names that flow into `expr` (through plain assignments)."""
    found: set[str] = set()
    stack: list[tuple[ast.AST, int]] = [(expr, depth)]
    while stack:
        node, left = stack.pop()
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id not in found:
                found.add(sub.id)
                value = reaching_value(ctx, sub)
                if value is not None and left > 0:
                    stack.append((value, left - 1))
    return found


def scope_of(ctx: FileContext, node: ast.AST) -> ast.AST:
    return ctx.enclosing_function(node) or ctx.tree


# -- objects ------------------------------------------------------------------------------


def created_by(ctx: FileContext, expr: ast.AST | None, constructors: set[str]) -> ast.Call | None:
    """The constructor call that made `expr` (`app` bound to `Flask(__name__)`), through names."""
    for _ in range(3):
        if isinstance(expr, ast.Call):
            name = ctx.call_name(expr) or ""
            return expr if name in constructors else None
        if isinstance(expr, ast.Name):
            value = reaching_value(ctx, expr)
            if value is None and ctx.enclosing_function(expr) is not None:
                value = module_constant(ctx, expr.id)
            expr = value
            continue
        return None
    return None


def constant_str(expr: ast.AST | None, ctx: FileContext | None = None) -> str | None:
    value = literal_value(expr, ctx)
    return value if isinstance(value, str) else None


def decorator_names(ctx: FileContext, func: FunctionNode | ast.ClassDef) -> list[str]:
    names = []
    for deco in func.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        names.append(ctx.qualname(target) or "")
    return names
