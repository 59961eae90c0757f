"""Private helpers for the access-control, exposure and CSRF rules (SR2xx).

Not a rule package (leading underscore). Everything here is AST-only and narrows
where the rules fire: which identifiers hold a secret, which literals look like
a real secret rather than a field name or a placeholder, which values come from
a web request, which modules are Django settings, which files are tests.

Import each name from the module that holds it:

- `vocabulary`: `word_set` (long vocabularies) and `split_words` (identifier -> words).
- `file_kinds`: Django settings modules (and dev/test settings), frameworks' tables of defaults
  (`is_defaults_table`), the kind of configuration class holding a setting (`config_class`), module-level
  assignments.
- `secret_names`: identifiers that name a secret (`secret_identifier`), auth-related code (`auth_context`).
- `secret_values`: literals that look like a real credential (`secret_value`, `header_secret`),
  Flask key settings, session-cookie names.
- request data, route parameters and socket data reaching an expression: `secreview.taint.provenance`
  (`web_source`, `request_attribute`), the one provenance model.
- `url_hosts`: built URLs and whether an outside value decides the host (`host_source`).
- `function_facts`: calls, comparisons, allowlist tests and data flow within a function.
- `object_facts`: the constructor that made a value, constant strings, decorator names.
"""
