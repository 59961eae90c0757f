"""Identifiers judged word by word: vocabularies, password names, security-value names, non-security purposes.

Identifiers are judged word by word (`csrfToken` -> csrf, token; `X-Hub-Signature`
-> x, hub, signature) so that `author` is not `auth`, a lexer's `TOKEN_NAME` is not
a token value, and `token_type` or `signature_header` (what a value *is called*,
not the value) never count.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


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
