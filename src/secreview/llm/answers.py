"""One answer: send a file part to one model (one sample), and read the reply into claims.

A `grounded` reply must be JSON that validates against reply-schema.json, or it is rejected (never
repaired) and the part counts as not reviewed. Free-text replies (the study's five prompts) go through
the audit parser. A multi-step prompt (chain of thought) sends its steps in turn, each with the
model's earlier answers; only the last answer is the review.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import jsonschema

from secreview.audit.code_index import CodeIndex
from secreview.audit.parse import parse_answer
from secreview.cwe import Catalog
from secreview.llm import prompts
from secreview.llm.chunks import Chunk
from secreview.llm.client import ChatClient
from secreview.llm.errors import LLMError, LLMStopped
from secreview.llm.verify import LLMClaim, free_text_claims


class ReplyRejected(Exception):
    """A reply that arrived but cannot be used (not JSON, not matching the schema)."""


@dataclass(frozen=True, slots=True)
class Job:
    chunk: Chunk
    model: str
    sample: int  # 1-based
    messages: tuple[dict, ...]  # the system message and the first user step
    later_steps: tuple[str, ...]  # further user steps of a multi-step prompt
    code_hash: str


@dataclass
class Answer:
    job: Job
    verdict: str = "failed"  # defects | none | unclear | failed
    claims: list[LLMClaim] = field(default_factory=list)
    stances: list[tuple[str, str, str]] = field(default_factory=list)  # (candidate id, stance, reason)
    error: str = ""
    # when the layer stopped (breaker.py): "not made" | "stopped it" (its failure is the stop's cause) |
    # "in flight" (sent before the stop, failed after it); such failures are reported once, by the stop
    stopped: str = ""
    calls: int = 0
    cached: int = 0


def run(job: Job, client: ChatClient, template: prompts.PromptTemplate, index: Callable[[], CodeIndex],
        catalog: Catalog, seed: int | None) -> Answer:
    """`index`: the file's code index, asked for only when a free-text reply must be read against it."""
    answer = Answer(job)
    messages = list(job.messages)
    schema = prompts.reply_schema() if template.structured else None
    try:
        steps = (None, *job.later_steps)
        for number, step in enumerate(steps):
            if step is not None:
                messages.append({"role": "user", "content": step})
            last = number == len(steps) - 1
            reply = client.complete(messages, model=job.model, schema=schema if last else None,
                                    code_hash=job.code_hash, seed=seed)
            answer.calls += 1
            answer.cached += reply.cached
            messages.append({"role": "assistant", "content": reply.content})
        if schema is not None:  # the template is structured
            try:
                _read_json(answer, reply.content, schema)
            except ReplyRejected:
                client.forget(reply)  # an unusable reply must not be served again from the cache
                raise
        else:
            parsed = parse_answer(reply.content)
            answer.verdict = parsed.verdict
            answer.claims = free_text_claims(parsed, index(), catalog, job.model, job.sample)
            if parsed.verdict_conflict and answer.verdict != "none":
                answer.verdict = "none"  # its own conclusion denies what its body lists
    except LLMStopped as exc:
        answer.verdict, answer.error, answer.stopped = (
            "failed", str(exc), "stopped it" if exc.trigger else "in flight" if exc.made else "not made")
    except LLMError as exc:
        answer.verdict, answer.error = "failed", str(exc)
    except ReplyRejected as exc:
        answer.verdict, answer.error = "failed", f"reply rejected: {exc}"
    except Exception as exc:  # a worker thread must report, not vanish; the part stays unreviewed
        answer.verdict, answer.error = "failed", f"internal error: {type(exc).__name__}: {exc}"
    return answer


def _read_json(answer: Answer, content: str, schema: dict) -> None:
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise ReplyRejected(f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "the reply"
        raise ReplyRejected(f"does not match the reply schema at {where}: {error.message}")
    answer.verdict = data["verdict"]
    job = answer.job
    for item in data["defects"]:
        answer.claims.append(LLMClaim(job.model, job.sample, item["cwe"], item["line"], item["end_line"],
                                      item["quote"], item["description"].strip(), item["fix"].strip(),
                                      item["confidence"], tuple(n for n in item["names"] if n.strip())))
    answer.stances = [(c["id"], c["stance"], c["reason"].strip()) for c in data["candidates"]]
