"""The LLM command-line options, shared by `scan` and `diff`.

    add_arguments(subparser)                        # at parser build time
    settings = settings_from_args(args)             # None without --llm; raises ConfigError on bad values
    report = api.review(paths, config, llm=settings)  (or review_sources / review_with_llm for other inputs)
    render(report, fmt, **render_options(args, fmt))

The consensus default is a majority of the answers (samples × models) unless `--consensus`,
SECREVIEW_LLM_CONSENSUS or `consensus` in [tool.secreview.llm] says otherwise.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from secreview.config import ConfigError

if TYPE_CHECKING:
    from secreview.llm.settings import LLMSettings

# option dest -> LLMSettings field; only meaningful with --llm
_FLAGS = {"llm_models": "models", "llm_url": "base_url", "llm_prompt": "prompt", "llm_samples": "samples",
          "llm_consensus": "consensus", "llm_timeout": "read_timeout", "llm_max_failures": "max_failures",
          "llm_cache": "cache", "llm_redact": "redact"}


class _PromptNames:
    """The --prompt choices, listed when argparse asks (a wrong name, --help): reading the prompts folder
    loads importlib.resources, which every `scan` would pay for at start-up."""

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    @staticmethod
    def _names() -> tuple[str, ...]:
        from secreview.llm import prompts

        return prompts.names()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("LLM review (see docs/llm.md)")
    group.add_argument("--llm", action="store_true",
                       help="add a verified LLM review to the static one (an OpenAI-compatible server)")
    group.add_argument("--model", action="append", dest="llm_models", metavar="MODEL",
                       help="model name (repeatable: several models combine by consensus)")
    group.add_argument("--llm-url", "--llm-base-url", dest="llm_url", metavar="URL",
                       help="base URL of the server, e.g. http://localhost:11434/v1 (Ollama)")
    group.add_argument("--prompt", dest="llm_prompt", choices=_PromptNames(),
                       help="prompt template (default: grounded, the only one with quotable JSON replies)")
    group.add_argument("--samples", dest="llm_samples", type=int, metavar="N", help="answers per model and part")
    group.add_argument("--consensus", dest="llm_consensus", type=int, metavar="K",
                       help="answers that must agree on a claim (default: a majority)")
    group.add_argument("--llm-timeout", dest="llm_timeout", type=float, metavar="SECONDS",
                       help="read timeout of one LLM call")
    group.add_argument("--llm-max-failures", dest="llm_max_failures", type=int, metavar="N",
                       help="stop calling the server after N failed calls in a row (default 3)")
    group.add_argument("--no-llm-cache", dest="llm_cache", action="store_false", default=None,
                       help="ask the model again instead of reusing cached replies")
    group.add_argument("--no-redact", dest="llm_redact", action="store_false", default=None,
                       help="send secrets found in the code unredacted, even to a non-loopback server")
    group.add_argument("--show-unverified", action="store_true",
                       help="also list the LLM claims the code did not confirm (marked; they never fail the build)")


def settings_from_args(args: argparse.Namespace, env: Mapping[str, str] | None = None,
                       cwd: Path | None = None) -> LLMSettings | None:
    env = os.environ if env is None else env
    given = {flag for flag in _FLAGS if getattr(args, flag, None) is not None}
    if not args.llm:
        if given:
            names = ", ".join(sorted("--" + f.removeprefix("llm_").replace("_", "-") for f in given))
            raise ConfigError(f"LLM options ({names}) need --llm")
        return None
    from secreview.llm.settings import file_table, load_llm_settings  # loaded only when the LLM layer runs

    cli = {field: getattr(args, flag) for flag, field in _FLAGS.items() if getattr(args, flag, None) is not None}
    table = file_table(cwd)
    settings = load_llm_settings(cli, env, table)
    from secreview.llm.consensus import majority  # loaded only when the LLM layer runs

    if "consensus" not in cli and "SECREVIEW_LLM_CONSENSUS" not in env and "consensus" not in table:
        settings = replace(settings, consensus=majority(settings.samples * len(settings.models)))
    return settings


def render_options(args: argparse.Namespace, fmt: str) -> dict[str, object]:
    return {"show_unverified": True} if fmt == "text" and getattr(args, "show_unverified", False) else {}
