"""What a chat completion returns: `ChatReply` and its token `Usage`.

A leaf module: the client builds replies and the cache stores and rebuilds them, so both need these
types while neither may need the other (the client uses the cache; the cache must not reach back).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.prompt_tokens + other.prompt_tokens, self.completion_tokens + other.completion_tokens)


@dataclass(frozen=True)
class ChatReply:
    content: str
    finish_reason: str
    model: str
    usage: Usage
    cached: bool = False
    mode: str = "json_schema"  # how structured output was requested: json_schema | json_object | text
    cache_key: str = field(default="", compare=False, repr=False)  # lets the caller `forget()` a bad reply
