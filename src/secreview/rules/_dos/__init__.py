"""Private helpers for the denial-of-service and deserialization rules (SR5xx).

Not a rule package (leading underscore). Import each name from the module that holds it:

Where a value comes from (a client, a peer, a remote response) is asked of `secreview.taint.provenance`,
the one provenance model (`origin(ctx, expr, kinds, parts=...)`, `constructor_of`, `HTTP_METHODS`).

- `regex_calls`: `re`/`regex` calls through an import not rebound locally (`regex_call`, `REGEX_FUNCS`,
  `UNANCHORED_METHODS`),
  their flags (`regex_flags`) and literal pattern text (`literal_string`).
- `pattern_use`: how a compiled pattern is used (`compiled_pattern_is_whole`).
- `redos`: `redos_witness`, exponential-backtracking analysis on the stdlib parser's tree,
  and the position automaton it builds.
- `redos_search`: the ambiguity search on that automaton and its result (`Redos`).
- `sre_alphabet`: the stdlib parser's opcodes and the character masks of a parsed pattern.
"""
