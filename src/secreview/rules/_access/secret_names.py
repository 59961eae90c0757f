"""Secrets by name: identifiers that name a credential, and code that deals with authentication.

They live in `secreview.analysis.credentials` (shared with the taint engine and the LLM layer).
"""

from __future__ import annotations

from secreview.analysis.credentials import ambiguous_secret, auth_context, named_secret, secret_identifier

__all__ = ["ambiguous_secret", "auth_context", "named_secret", "secret_identifier"]
