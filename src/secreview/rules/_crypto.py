"""Shared facts for the cryptography rules (SR3xx); private, not a rule.

Identifiers are judged word by word (`csrfToken` -> csrf, token; `X-Hub-Signature`
-> x, hub, signature) so that `author` is not `auth`, a lexer's `TOKEN_NAME` is not
a token value, and `token_type` or `signature_header` (what a value *is called*,
not the value) never count.
"""

from __future__ import annotations

import ast
import re

from secreview.analysis.context import FileContext
from secreview.analysis.flow import assignments, external_source
from secreview.analysis.values import argument, is_literal, module_constant

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# -- identifiers ------------------------------------------------------------------------------


def words_of(identifier: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _WORD.findall(identifier))


_PASSWORD_WORDS = frozenset({"password", "passwords", "passwd", "pwd", "passphrase", "pw", "pass", "passwort",
                             "pword", "pswd", "userpass"})
_PASSWORD_NOT = word_set(
    """hash hashed hashes digest field fields label prompt policy length len min max regex re pattern
    template file path url uri expiry expires expire expiration age changed change reset hint strength rule
    rules form widget validator validators required mode manager env var salt token encrypted enc crypted
    hasher hashers algorithm algo scheme type name id attempts attempt count set is has needs should use
    enabled allowed auth store backend check checker flag input method protected secured valid"""
)


def names_password(identifier: str) -> bool:
    """`password`, `user.passwd`, `new_pw`, `rawPassword`; not `password_hash`, `password_field`."""
    words = words_of(identifier)
    if not any(w in _PASSWORD_WORDS or "passw" in w or "passphrase" in w for w in words):
        return False
    return not any(w in _PASSWORD_NOT for w in words)


_NAME_OF = word_set(
    """type types name names label labels length len size url uri urls endpoint path file filename field
    header headers param params pattern regex format template class kind prefix suffix version versions
    algorithm algorithms alg algs method scheme count expiry expires expiration ttl timeout lifetime policy
    required enabled error errors exception cache etag checksum fingerprint id ids index pos start end line
    lines column col offset bits attr attribute location loc dir provider backend manager factory cls module
    spec schema doc docs description help mode style key keys"""
)
_SECURE_WORDS = word_set(
    """token tokens secret secrets signature signatures sig sigs hmac nonce nonces otp totp hotp csrf xsrf
    salt apikey credential credentials passcode sessionid sessid csrftoken xsrftoken authtoken accesstoken
    refreshtoken secretkey privatekey"""
)
_SECURE_PAIRS = frozenset(
    tuple(pair.split("+"))
    for pair in word_set(
        """api+key private+key secret+key access+key auth+key signing+key encryption+key session+id
        session+key session+token reset+code reset+key verification+code verify+code confirm+code
        confirmation+code activation+code activation+key invite+code auth+code sms+code one+time
        magic+link recovery+code master+key hmac+key mac+key aes+key cipher+key crypto+key session+secret
        shared+key pin+code security+code backup+code"""
    )
)


def security_value(identifier: str) -> str:
    """The identifier when it names a security value (`csrf_token`, `X-Hub-Signature`,
    `session_id`), "" otherwise (`token_type`, `signature_header`, `api_key_id`)."""
    words = words_of(identifier)
    if not words:
        return ""
    pairs = set(zip(words, words[1:], strict=False)) & _SECURE_PAIRS
    if words[-1] in _NAME_OF and not (len(words) > 1 and (words[-2], words[-1]) in pairs):
        return ""
    if pairs or any(w in _SECURE_WORDS for w in words):
        return identifier
    return ""


_NOT_SECURITY_PURPOSE = word_set(
    """etag etags cache cached caching checksum checksums fingerprint fingerprints dedup dedupe shard shards
    bucket buckets partition color colour avatar gravatar filename filenames md5sum sha1sum content integrity
    lock locks digest_file cachekey identicon uuid guid slug hue"""
)


def non_security_purpose(identifier: str) -> bool:
    """A name that says the hash is a cache key, ETag, checksum or fingerprint."""
    return any(w in _NOT_SECURITY_PURPOSE for w in words_of(identifier))


# -- values -----------------------------------------------------------------------------------


def function_params(func: ast.AST | None) -> set[str]:
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return set()
    a = func.args
    names = {x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)}
    names.update(x.arg for x in (a.vararg, a.kwarg) if x)
    return names


def single_value(ctx: FileContext, name: ast.Name) -> ast.expr | None:
    """The value of a name bound exactly once before its use in the function, or a module constant."""
    func = ctx.enclosing_function(name)
    if func is not None:
        if name.id in function_params(func):
            return None
        bindings = assignments(ctx, func).get(name.id, [])
        if bindings:
            if len(bindings) == 1 and bindings[0][0] <= name.lineno:
                value = bindings[0][1]
                return None if _binds_loop(ctx, func, name.id) else value
            return None
    return module_constant(ctx, name.id)


def _binds_loop(ctx: FileContext, func: ast.AST, name: str) -> bool:
    def compute() -> frozenset[str]:
        found = set()
        for node in ast.walk(func):
            if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                found.update(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
        return frozenset(found)

    return name in ctx.memo("crypto-loop-names", func, compute)


def resolve(ctx: FileContext, expr: ast.expr | None, depth: int = 4) -> ast.expr | None:
    """Follow local single bindings and module constants to the value an expression holds."""
    while isinstance(expr, (ast.Name, ast.Attribute)) and depth > 0:
        value = single_value(ctx, expr) if isinstance(expr, ast.Name) else class_constant(ctx, expr)
        if value is None:
            return expr
        expr, depth = value, depth - 1
    return expr


_DECODERS = word_set(
    """base64.b64decode base64.urlsafe_b64decode base64.b32decode binascii.unhexlify binascii.a2b_hex
    bytes.fromhex bytearray.fromhex codecs.decode builtins.bytes builtins.bytearray builtins.str"""
)


def literal_data(ctx: FileContext, expr: ast.expr | None) -> ast.expr | None:
    """The literal a value is made of (`b"k"`, `"k".encode()`, `bytes.fromhex("00ff")`), else None."""
    if expr is None or _container(expr):
        return None
    if is_literal(expr, ctx) and not (isinstance(expr, ast.Constant) and expr.value is None):
        return expr
    if isinstance(expr, ast.Call):
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr in {"encode", "ljust", "rjust", "zfill"}:
            return literal_data(ctx, func.value)
        name = ctx.call_name(expr) or ""
        if not expr.args or expr.keywords:
            return None
        if name.replace("builtins.", "") in {"bytes.fromhex", "bytearray.fromhex"} or name in _DECODERS:
            return expr if all(is_literal(a, ctx) for a in expr.args) else None
    return None


def _container(expr: ast.expr) -> bool:
    """A list/dict/set/tuple display (possibly repeated): a collection, not a key or an IV."""
    while isinstance(expr, ast.BinOp):
        expr = expr.left if _container(expr.left) else expr.right
        if not isinstance(expr, ast.BinOp):
            break
    return isinstance(expr, (ast.List, ast.Tuple, ast.Set, ast.Dict))


def _unwrapped(ctx: FileContext, expr: ast.expr) -> ast.expr | None:
    """`KEY.encode()`, `bytes.fromhex(KEY)` -> `KEY` (a name wrapped in a conversion), else None."""
    if not isinstance(expr, ast.Call):
        return None
    func = expr.func
    if isinstance(func, ast.Attribute) and func.attr in {"encode", "ljust", "rjust", "zfill"}:
        inner = func.value
    elif len(expr.args) == 1 and (ctx.call_name(expr) or "").replace("builtins.", "") in _DECODERS | {
            "bytes.fromhex", "bytearray.fromhex"}:
        inner = expr.args[0]
    else:
        return None
    return inner if isinstance(inner, (ast.Name, ast.Attribute)) else None


def hardcoded(ctx: FileContext, expr: ast.expr | None) -> str:
    """How a value is fixed in the source: "a literal", "the module constant `K`",
    "the local variable `k`, assigned a literal"; "" when it is not."""
    if expr is None:
        return ""
    inner = _unwrapped(ctx, expr)
    if inner is not None:
        return hardcoded(ctx, inner)
    if isinstance(expr, ast.Name):
        func = ctx.enclosing_function(expr)
        local = func is not None and expr.id in assignments(ctx, func)
        value = single_value(ctx, expr)
        if value is None or not literal_data(ctx, value) and not hardcoded(ctx, value):
            return ""
        if local:
            return f"the local variable `{expr.id}`, assigned a literal"
        return f"the module constant `{expr.id}`"
    if isinstance(expr, ast.Attribute):
        value = class_constant(ctx, expr)
        return f"the class attribute `{expr.attr}`" if value is not None and literal_data(ctx, value) else ""
    return "a literal" if literal_data(ctx, expr) is not None else ""


def class_constant(ctx: FileContext, attr: ast.Attribute) -> ast.expr | None:
    """`self.KEY` -> the value of `KEY = ...` in the enclosing class body, when bound once there
    and never assigned through `self.KEY = ...` in the class."""
    cls = ctx.enclosing_class(attr)
    if cls is None or not (isinstance(attr.value, ast.Name) and attr.value.id in ("self", "cls")):
        return None
    values = [stmt.value for stmt in cls.body if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
              and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == attr.attr]
    rebound = any(isinstance(n, ast.Attribute) and n.attr == attr.attr and isinstance(n.ctx, ast.Store)
                  for n in ast.walk(cls))
    return values[0] if len(values) == 1 and not rebound else None


def literal_number(ctx: FileContext, expr: ast.expr | None) -> int | None:
    value = resolve(ctx, expr)
    if isinstance(value, ast.Constant) and isinstance(value.value, int) and not isinstance(value.value, bool):
        return value.value
    if value is not None and is_literal(value, ctx) and isinstance(value, (ast.BinOp, ast.UnaryOp)):
        try:
            number = eval(compile(ast.Expression(value), "<n>", "eval"), {"__builtins__": {}})  # noqa: S307
        except Exception:  # noqa: BLE001 - arithmetic on literals only; anything odd is "unknown"
            return None
        return number if isinstance(number, int) and abs(number) < 1 << 20 else None
    return None


def value_identifiers(ctx: FileContext, expr: ast.expr | None, depth: int = 2) -> list[str]:
    """Identifiers of the values inside an expression: names (not modules), attribute
    names, constant subscript keys, method receivers and call arguments (not the called
    functions), following local names to their single binding up to `depth` times."""
    found: list[str] = []

    def visit(node: ast.AST | None, depth: int) -> None:
        if node is None:
            return
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute):
                visit(node.func.value, depth)
            for arg in node.args:
                visit(arg, depth)
            for kw in node.keywords:
                visit(kw.value, depth)
        elif isinstance(node, ast.Name):
            if node.id in ctx.imports or not isinstance(node.ctx, ast.Load):
                return
            found.append(node.id)
            if depth > 0:
                value = single_value(ctx, node)
                if value is not None:
                    visit(value, depth - 1)
        elif isinstance(node, ast.Attribute):
            found.append(node.attr)
        elif isinstance(node, ast.Subscript):
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                found.append(key.value)
            else:
                visit(node.value, depth)
        elif isinstance(node, (ast.Lambda, ast.Constant)):
            return
        else:
            for child in ast.iter_child_nodes(node):
                visit(child, depth)

    visit(expr, depth)
    return found


# -- where a value goes -----------------------------------------------------------------------

_PASS_THROUGH_CALLS = word_set(
    """str bytes int hex format join hexdigest digest encode decode b64encode urlsafe_b64encode b32encode
    b16encode hexlify zfill rjust ljust upper lower strip rstrip lstrip replace md5 sha1 sha224 sha256 sha384
    sha512 new text_type force_str force_bytes force_text ensure_str ensure_binary to_bytes"""
)


_CARRIERS = (ast.Attribute, ast.BinOp, ast.JoinedStr, ast.FormattedValue, ast.IfExp, ast.GeneratorExp,
             ast.ListComp, ast.Subscript, ast.Tuple, ast.List, ast.Starred)


def destinations(ctx: FileContext, node: ast.AST) -> list[str]:
    """Identifiers a value ends up bound to: assignment targets, keyword names, dict keys,
    or "return" when the enclosing function returns it."""
    current = node
    for parent in ctx.ancestors(node):
        if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            names = []
            for target in targets:
                for sub in ast.walk(target):
                    if isinstance(sub, (ast.Name, ast.Attribute, ast.Subscript)):
                        ident = _ident(sub)
                        if ident:
                            names.append(ident)
                        break
            return names
        if isinstance(parent, ast.Return):
            return ["return"]
        if isinstance(parent, ast.keyword):
            return [parent.arg] if parent.arg else []
        if isinstance(parent, ast.Dict):
            for key, value in zip(parent.keys, parent.values, strict=True):
                if value is current and isinstance(key, ast.Constant) and isinstance(key.value, str):
                    return [key.value]
            return []
        if isinstance(parent, ast.Call):
            if current is not parent.func:
                func = parent.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name not in _PASS_THROUGH_CALLS:
                    return []
        elif not isinstance(parent, _CARRIERS):
            return []
        current = parent
    return []


def _ident(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return node.slice.value if isinstance(node.slice.value, str) else ""
    return ""


def function_name(ctx: FileContext, node: ast.AST) -> str:
    func = ctx.enclosing_function(node)
    return func.name if func is not None else ""


def calls_in_function(ctx: FileContext, node: ast.AST) -> list[ast.Call]:
    """Every call in the function (or module body) enclosing `node`, in source order."""
    scope = ctx.enclosing_function(node) or ctx.tree

    def compute() -> list[ast.Call]:
        found = [n for n in ast.walk(scope) if isinstance(n, ast.Call)]
        found.sort(key=lambda n: (n.lineno, n.col_offset))
        return found

    return ctx.memo("crypto-calls", scope, compute)


def reference(node: ast.AST) -> str:
    """`s` -> "s", `self.smtp` -> "self.smtp"; "" for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = reference(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def same_target(a: ast.AST, b: ast.AST) -> bool:
    """`s` and `s`, `self.smtp` and `self.smtp`: the same local reference (load or store)."""
    key = reference(a)
    return bool(key) and key == reference(b)


def guarded_by_option(ctx: FileContext, node: ast.AST, words: frozenset[str]) -> bool:
    """Inside an `if` (or conditional expression) whose test names one of `words`."""
    child = node
    for anc in ctx.ancestors(node):
        if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)):
            return False
        if isinstance(anc, (ast.If, ast.IfExp)) and child is not anc.test:
            for ident in value_identifiers(ctx, anc.test, depth=0):
                if set(words_of(ident)) & words:
                    return True
        child = anc
    return False


# -- hash constructors ------------------------------------------------------------------------

_HASHLIB_FAST = word_set(
    """md5 sha1 sha224 sha256 sha384 sha512 sha512_224 sha512_256 sha3_224 sha3_256 sha3_384 sha3_512 blake2b
    blake2s md4 ripemd160 sm3 md5-sha1 shake_128 shake_256"""
)
_PYCRYPTO_HASHES = word_set(
    """MD2 MD4 MD5 SHA SHA1 SHA224 SHA256 SHA384 SHA512 SHA3_224 SHA3_256 SHA3_384 SHA3_512 BLAKE2b BLAKE2s
    RIPEMD RIPEMD160 keccak"""
)
WEAK_ALGORITHMS = {"md2": "MD2", "md4": "MD4", "md5": "MD5", "sha": "SHA-1", "sha1": "SHA-1",
                   "md5-sha1": "MD5"}
CRYPTOGRAPHY_HASHES = "cryptography.hazmat.primitives.hashes."


def hash_constructor(ctx: FileContext, call: ast.Call) -> tuple[str, str, list[ast.expr]] | None:
    """(call name, lower-case algorithm, data arguments) for a one-shot hash constructor:
    `hashlib.md5(x)`, `hashlib.new("sha1", x)`, `Crypto.Hash.MD5.new(x)`; None otherwise."""
    name = ctx.call_name(call) or ""
    data: list[ast.expr] = []
    if name.startswith("hashlib."):
        algo = name[len("hashlib."):]
        if algo == "new":
            value = resolve(ctx, argument(call, 0, "name"))
            if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
                return None
            algo = value.value.lower()
            data = [a for a in (argument(call, 1, "data"), argument(call, None, "string")) if a is not None]
        elif algo in _HASHLIB_FAST:
            data = [a for a in (argument(call, 0, "data"), argument(call, None, "string")) if a is not None]
        else:
            return None
        return (name, algo, data) if algo in _HASHLIB_FAST else None
    parts = name.split(".")
    if len(parts) == 4 and parts[0] in ("Crypto", "Cryptodome") and parts[1] == "Hash" and parts[3] == "new":
        if parts[2] in _PYCRYPTO_HASHES:
            data = [a for a in (argument(call, 0, "data"),) if a is not None]
            return name, parts[2].lower(), data
    return None


def used_not_for_security(call: ast.Call) -> bool:
    return any(kw.arg == "usedforsecurity" and isinstance(kw.value, ast.Constant) and kw.value.value is False
               for kw in call.keywords)


def bound_name(ctx: FileContext, call: ast.Call) -> ast.Name | None:
    """The local name a call's result is assigned to (`h = hashlib.md5()` -> `h`)."""
    parent = ctx.parent(call)
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
        return parent.targets[0] if isinstance(parent.targets[0], ast.Name) else None
    if isinstance(parent, ast.withitem) and isinstance(parent.optional_vars, ast.Name):
        return parent.optional_vars
    return None


def method_calls(ctx: FileContext, target: ast.AST, methods: set[str] | frozenset[str]) -> list[ast.Call]:
    """Calls `<target>.m(...)` for m in `methods` in the function that binds `target`."""
    return [
        c for c in calls_in_function(ctx, target)
        if isinstance(c.func, ast.Attribute) and c.func.attr in methods and same_target(c.func.value, target)
        and c.lineno >= target.lineno
    ]


_RANDOM_SOURCES = ("os.urandom", "secrets.", "uuid.uuid4", "random.", "Crypto.Random.", "Cryptodome.Random.",
                   "numpy.random.", "ssl.RAND_bytes")


_RANDOM_FUNCTIONS = word_set("uuid4 urandom token_bytes token_hex token_urlsafe get_random_bytes randbytes "
                             "getrandbits")


def random_call(ctx: FileContext, exprs: list[ast.expr], depth: int = 2) -> str:
    """The name of a random-number call inside the expressions (following local names), or ""."""
    for expr in exprs:
        for node in ast.walk(expr):
            if isinstance(node, ast.Call):
                name = ctx.call_name(node) or ""
                if name.startswith(_RANDOM_SOURCES) or name.rsplit(".", 1)[-1] in _RANDOM_FUNCTIONS:
                    return name
            elif isinstance(node, ast.Name) and depth > 0 and isinstance(node.ctx, ast.Load):
                value = single_value(ctx, node)
                if value is not None:
                    found = random_call(ctx, [value], depth - 1)
                    if found:
                        return found
    return ""


def in_test_code(ctx: FileContext, node: ast.AST) -> bool:
    """Inside a test: a `test_*` function, or a `Test*`/`*Tests`/`*TestCase` class or a unittest
    TestCase subclass. Fixed keys, IVs, disabled checks and weak versions are test vectors there."""

    def compute() -> bool:
        for anc in ctx.ancestors(node):
            if isinstance(anc, (ast.FunctionDef, ast.AsyncFunctionDef)) and anc.name.startswith("test"):
                return True
            if isinstance(anc, ast.ClassDef):
                if anc.name.startswith("Test") or anc.name.endswith(("Test", "Tests", "TestCase")):
                    return True
                if any((ctx.qualname(b) or "").endswith("TestCase") for b in anc.bases):
                    return True
        return False

    scope = ctx.enclosing_function(node) or ctx.enclosing_class(node) or ctx.tree
    return ctx.memo("crypto-in-test", scope, compute) if scope is not ctx.tree else False


_CRYPTO_MODULES = word_set("hmac hashlib jwt jose cryptography Crypto Cryptodome nacl itsdangerous rsa ecdsa "
                           "OpenSSL secrets authlib oauthlib passlib bcrypt")
_INPUT_NAMES = word_set(
    """request req headers form args params data query cookies body payload json environ META GET POST
    query_params match_info"""
)


def imports_crypto(ctx: FileContext) -> bool:
    """The file imports a hashing, MAC, signing or token library."""
    return bool({target.split(".")[0] for target in ctx.imports.values()} & _CRYPTO_MODULES)


def incoming(ctx: FileContext, side: ast.expr) -> bool:
    """A value the caller or the client supplies: a parameter, request data, or something built from them
    (`api_key`, `form.get("csrf")`, `request.headers["X-Sig"]`, `sha256(password)`); not a stored
    attribute such as `user.password_hash`."""
    params = function_params(ctx.enclosing_function(side)) - {"self", "cls"}
    return _incoming(ctx, side, params, 2)


def _incoming(ctx: FileContext, side: ast.expr, params: set[str], depth: int) -> bool:
    if external_source(ctx, side):
        return True
    if isinstance(side, ast.Name):
        if side.id in params:
            return True
        value = single_value(ctx, side)
        return value is not None and depth > 0 and _incoming(ctx, value, params, depth - 1)
    if isinstance(side, (ast.Subscript, ast.Attribute)) or _is_get(side):
        base = side.func.value if _is_get(side) else side.value  # type: ignore[union-attr]
        keyed = not isinstance(side, ast.Attribute)
        while isinstance(base, (ast.Subscript, ast.Attribute, ast.Call)):
            if isinstance(base, ast.Attribute) and base.attr in _INPUT_NAMES:
                return True
            base = base.func if isinstance(base, ast.Call) else base.value
        return isinstance(base, ast.Name) and (base.id in _INPUT_NAMES or keyed and base.id in params)
    if isinstance(side, ast.Call):
        func = side.func
        parts = [*side.args, func.value] if isinstance(func, ast.Attribute) else side.args
        return any(_incoming(ctx, a, params, depth) for a in parts)
    if isinstance(side, (ast.BinOp, ast.JoinedStr, ast.FormattedValue)):
        children = [n for n in ast.iter_child_nodes(side) if isinstance(n, ast.expr)]
        return any(_incoming(ctx, n, params, depth) for n in children)
    return False


def _is_get(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
