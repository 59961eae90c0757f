"""Settings of the LLM layer: which OpenAI-compatible endpoint, which models, how patiently, at what price.

Layers, later wins: `OPENAI_BASE_URL`/`OPENAI_API_KEY` (the de-facto standard variables) <
`[tool.secreview.llm]` in pyproject.toml < `SECREVIEW_LLM_*` environment variables < command-line flags.
An API key is accepted from the environment (or the programmatic CLI layer) only: a key written into a
config file ends up in version control, so `api-key` in the file table is an error, not a warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from secreview.config import ConfigError, find_pyproject, parse_bool, subtable


@dataclass(frozen=True)
class LLMSettings:
    base_url: str  # e.g. "http://127.0.0.1:11434/v1": the client POSTs to f"{base_url}/chat/completions"
    models: tuple[str, ...]  # one or more model names
    api_key: str | None = field(default=None, repr=False)  # never printed, never from config files
    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    max_retries: int = 3
    backoff: float = 1.0  # base seconds of the exponential backoff between retries
    concurrency: int = 4
    max_failures: int = 3  # failed calls in a row after which the rest of the run's calls are not made
    temperature: float = 0.0
    max_tokens: int = 2048
    samples: int = 1
    consensus: int = 1  # k: answers that must agree on a claim
    prompt: str = "grounded"  # template name
    token_budget: int = 12000  # max prompt tokens per file (estimated)
    price_input: float | None = None  # currency units per 1M prompt tokens
    price_output: float | None = None  # currency units per 1M completion tokens
    redact: bool = True  # redact secrets before sending code to a non-loopback endpoint
    cache: bool = True
    cache_dir: str | None = None

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/chat/completions"


_FIELDS = {f.name for f in fields(LLMSettings)}
_FLOATS = {"connect_timeout", "read_timeout", "backoff", "temperature", "price_input", "price_output"}
_POSITIVE_INTS = {"concurrency", "max_failures", "max_tokens", "samples", "consensus", "token_budget"}
_BOOLS = {"redact", "cache"}
_ALIASES = {"model": "models"}  # `--model a --model b`, `model = "a"`, SECREVIEW_LLM_MODEL=a,b
_SECRET_FILE_KEYS = {"api_key", "key", "token", "api_token", "openai_api_key"}


def load_llm_settings(
    cli: Mapping[str, Any], env: Mapping[str, str], file_table: Mapping[str, Any] | None
) -> LLMSettings:
    """Merge the layers (CLI > SECREVIEW_LLM_* > [tool.secreview.llm] > OPENAI_*), validate, freeze.

    `cli` uses the field names (`base_url`, `models`/`model`, ...); None values mean "not given".
    Raises ConfigError with a message that says which setting is wrong and where to set it.
    """
    merged: dict[str, Any] = {}
    if env.get("OPENAI_BASE_URL"):
        merged["base_url"] = env["OPENAI_BASE_URL"]
    if env.get("OPENAI_API_KEY"):
        merged["api_key"] = env["OPENAI_API_KEY"]
    merged.update(_from_file(file_table or {}))
    merged.update(_from_env(env))
    for key, value in cli.items():
        name = _ALIASES.get(key, key.replace("-", "_"))
        if name not in _FIELDS:
            raise ConfigError(f"unknown LLM setting {key!r}")
        if value is not None and value != () and value != []:
            merged[name] = value
    return _build(merged)


def file_table(cwd: Path | None = None) -> dict[str, Any]:
    """`[tool.secreview.llm]` of the pyproject.toml that governs `cwd` (the same file `secreview.config` reads)."""
    return subtable(find_pyproject(cwd or Path.cwd()), "llm")


def _from_file(table: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in table.items():
        name = _ALIASES.get(key, key.replace("-", "_"))
        if name in _SECRET_FILE_KEYS:
            raise ConfigError(
                f"[tool.secreview.llm] must not contain {key!r}: keys do not belong in files under version "
                "control; set SECREVIEW_LLM_API_KEY or OPENAI_API_KEY in the environment instead"
            )
        if name not in _FIELDS:
            raise ConfigError(f"unknown setting {key!r} in [tool.secreview.llm]")
        result[name] = value
    return result


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name in (*_FIELDS, "model"):
        value = env.get(f"SECREVIEW_LLM_{name.upper()}")
        if value is not None and value != "":
            result[_ALIASES.get(name, name)] = value
    return result


def _build(merged: dict[str, Any]) -> LLMSettings:
    base_url = merged.pop("base_url", None)
    models = merged.pop("models", None)
    if not base_url:
        raise ConfigError(
            "no LLM endpoint: pass --llm-base-url, or set SECREVIEW_LLM_BASE_URL, base-url in "
            "[tool.secreview.llm] or OPENAI_BASE_URL (e.g. http://127.0.0.1:11434/v1 for Ollama)"
        )
    models_tuple = _models(models)
    if not models_tuple:
        raise ConfigError(
            "no LLM model: pass --model, or set SECREVIEW_LLM_MODEL or model in [tool.secreview.llm]"
        )
    settings = LLMSettings(base_url=_base_url(str(base_url)), models=models_tuple)
    converted = {key: _convert(key, value) for key, value in merged.items() if value is not None}
    settings = replace(settings, **converted)
    answers = settings.samples * len(settings.models)
    if settings.consensus > answers:
        raise ConfigError(
            f"consensus {settings.consensus} cannot be reached: only {answers} answer(s) "
            f"({settings.samples} sample(s) x {len(settings.models)} model(s))"
        )
    return settings


def _base_url(value: str) -> str:
    url = value.strip().rstrip("/")
    if url.endswith("/chat/completions"):  # a pasted full endpoint: keep the base
        url = url[: -len("/chat/completions")]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"invalid LLM base URL {value!r}: expected http(s)://host[:port]/v1")
    if parts.username or parts.password:
        raise ConfigError("the LLM base URL must not contain credentials: set SECREVIEW_LLM_API_KEY instead")
    return url


def _models(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    names: list[str] = []
    for item in value:
        name = str(item).strip()
        if name and name not in names:
            names.append(name)
    return tuple(names)


def _convert(key: str, value: Any) -> Any:
    try:
        if key == "api_key":
            return str(value).strip() or None
        if key in _FLOATS:
            number = float(value)
            if number < 0 or number != number:
                raise ValueError("must be a non-negative number")
            if key.endswith("timeout") and number == 0:
                raise ValueError("must be greater than 0")
            return number
        if key == "max_retries":
            number = int(value)
            if number < 0:
                raise ValueError("must not be negative")
            return number
        if key in _POSITIVE_INTS:
            number = int(value)
            if number < 1:
                raise ValueError("must be at least 1")
            return number
        if key in _BOOLS:
            return parse_bool(value)
        if key in ("prompt", "cache_dir"):
            text = str(value).strip()
            if not text:
                raise ValueError("must not be empty")
            return text
    except (TypeError, ValueError) as exc:
        shown = "<hidden>" if key == "api_key" else repr(value)
        raise ConfigError(f"invalid value {shown} for LLM setting {key}: {exc}") from exc
    raise ConfigError(f"unknown LLM setting {key!r}")


