"""Prompt templates as files (`prompts/NAME.txt`) and the reply schema of the `grounded` one.

A template file has `#` comment lines at the top, then sections headed `--- system ---` and one or more
`--- user ---`. Several user sections make a multi-step prompt (the chain-of-thought template): each step
is sent with the model's previous answers, and the last answer is the review. Placeholders use
`string.Template` syntax (`$code`), so JSON braces in a template need no escaping:
`$path`, `$part` (" lines A-B" for a chunk, else ""), `$code` (numbered lines), `$candidates`,
`$project`, `$commit_message`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from string import Template

STRUCTURED = frozenset({"grounded"})  # templates whose reply must be JSON matching reply-schema.json
_SECTION = re.compile(r"^--- (system|user) ---$")


class PromptError(ValueError):
    """An unknown template name or a malformed template file."""


@dataclass(frozen=True, slots=True)
class PromptTemplate:
    name: str
    system: str
    steps: tuple[str, ...]  # user messages, sent one after the other

    @property
    def structured(self) -> bool:
        return self.name in STRUCTURED


def names() -> tuple[str, ...]:
    folder = resources.files(__package__).joinpath("prompts")
    return tuple(sorted(p.name.removesuffix(".txt") for p in folder.iterdir() if p.name.endswith(".txt")))


@cache
def load(name: str) -> PromptTemplate:
    if name not in names():
        raise PromptError(f"unknown prompt {name!r}; choose one of {', '.join(names())}")
    text = resources.files(__package__).joinpath("prompts", f"{name}.txt").read_text(encoding="utf-8")
    return parse_template(name, text)


def parse_template(name: str, text: str) -> PromptTemplate:
    sections: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        match = _SECTION.match(line.strip())
        if match:
            sections.append((match.group(1), []))
        elif sections:
            sections[-1][1].append(line)
        elif line.strip() and not line.startswith("#"):
            raise PromptError(f"prompt {name!r}: text before the first section: {line!r}")
    system = [body for kind, body in sections if kind == "system"]
    steps = tuple("\n".join(body).strip() for kind, body in sections if kind == "user")
    if len(system) != 1 or not steps:
        raise PromptError(f"prompt {name!r}: needs one `--- system ---` and at least one `--- user ---` section")
    return PromptTemplate(name, "\n".join(system[0]).strip(), steps)


@cache
def reply_schema() -> dict:
    return json.loads(resources.files(__package__).joinpath("reply-schema.json").read_text(encoding="utf-8"))


def fill(text: str, values: dict[str, str]) -> str:
    """Substitute placeholders; a missing value is an error rather than a silently literal `$name`."""
    try:
        return Template(text).substitute(values)
    except KeyError as exc:
        raise PromptError(f"prompt placeholder ${exc.args[0]} has no value") from None


def render(template: PromptTemplate, values: dict[str, str]) -> tuple[dict, list[str]]:
    """The system message and the filled user steps."""
    return {"role": "system", "content": fill(template.system, values)}, [fill(s, values) for s in template.steps]
