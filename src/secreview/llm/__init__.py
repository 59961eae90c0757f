"""The LLM review layer: an OpenAI-compatible chat client (settings, retries, cache, redaction) and, on top of
it, prompts, chunking, claim verification and consensus. See README.md in this folder."""

from secreview.llm.cache import ReplyCache
from secreview.llm.client import ChatClient, ChatReply, LLMError, Usage
from secreview.llm.redact import Redaction, is_loopback, redact
from secreview.llm.settings import LLMSettings, load_llm_settings

__all__ = [
    "ChatClient", "ChatReply", "LLMError", "LLMSettings", "Redaction", "ReplyCache", "Usage",
    "is_loopback", "load_llm_settings", "redact",
]
