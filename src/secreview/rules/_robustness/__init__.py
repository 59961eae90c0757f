"""Private helpers for the crash (SR6xx) and ctypes memory (SR8xx) rules.

Not a rule package (leading underscore). Local facts only: which calls may give None,
how a value is used as an object, whether a local name is checked before a use, and
whether an enclosing `try` catches a given exception. Nothing here follows values
across functions, except `queued_messages` (a method's callers in its own class).

Import each name from the module that holds it:

- `source_text`: a node's exact source text (`segment`) and a shortened one-line form (`short_text`).
- `catching`: the exceptions a handler catches, whether an enclosing `try` catches one (`caught_here`),
  code in a branch that never runs (`dead_code`).
- `value_use`: how a value is used as an object (`object_use`), checks (`is_check`), the first unchecked
  use after a binding (`first_unchecked_use`), guarding test texts (`tested_texts`).
- `none_results`: expressions that give None on a miss (`none_result`, `element_find`, `element_use`),
  whether something outside the program decides the miss (`outside_miss`), where a searched XML tree comes
  from (`element_document`), ORM query chains and aggregate-only queries (`orm_query`).
- `regex_calls`: regex match calls (`regex_match`) and patterns that always match (`always_matches`).
- `security_checks`: broad or security-exception handlers, handlers that swallow, access decisions
  that fail open (`fail_open`; not in a function that says "no" only by raising), a denial raised in a
  `try` and swallowed by its own handler (`swallowed_denial`), security check calls (`security_check`).
- `input_conversion`: converters (`CONVERTERS`), typed route parameters, app-wide error handlers, shape
  checks, schema-validating decorators (`schema_validated`), requests handed to a private helper
  (`request_from_caller`). Which outside value is converted: `secreview.taint.provenance.direct_input`.
- `queued_messages`: messages a consumer loop of the class takes off a queue and hands to a method
  (`queued_message`; the one place that looks at a method's callers in its class).
- `ctypes_types`: integer widths (`CTYPES_INT_BITS`, `NUMPY_INT_BITS`), `ctypes_name`, `owning_creation`.
- `ctypes_buffers`: buffer sizes and bounds (`buffer_base`, `buffer_size`, `overflow_reason`).
- `ctypes_integers`: structure fields and values that may not fit an integer type (`wrapping_value`).
- `ctypes_lifetime`: temporary memory, foreign calls, locals that escape (`local_escapes`).
"""
