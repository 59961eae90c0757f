"""The LLM review layer: an OpenAI-compatible chat client (settings, retries, cache, redaction) and, on top of
it, prompts, chunking, claim verification and consensus. See README.md in this folder.

Nothing is imported here on purpose: the CLI imports `llm.options` on every start, and the HTTP client
(httpx) should load only when `--llm` is given. Import from the submodules.
"""
