"""Private helpers of the injection rules (SR102-SR139).

They answer, for a string handed to an interpreter (a shell, a database, `eval`, a
template engine, a browser, a log file): how was it put together, which
interpolated values are not neutralised for that interpreter, and does one of them
come from outside the program. Everything is local to one function, like
`secreview.analysis.flow`, whose helpers these build on.

Not a rule package (leading underscore). Import each name from the module that holds it:

- `model`: the records passed around: `Part` (one interpolated value), `Build` (a string walk), `Verdict`.
- `strings`: constant strings (`const_str`), templates, and whether an expression builds a string (`stringish`).
- `walk`: walking a string expression (f-string, `%`, `+`, `str.format()`, `str.join()`) into a `Build`.
- `safety`: is a value neutralised for an interpreter (`is_safe`, `safe_value`, `SANITIZERS`), or
  validated before use (`validated`).
Where a value comes from (request data, route and view parameters, the caller) is asked of
`secreview.taint.provenance` (`source_of`, `read_directly`, `is_parameter`, `handler_function`).
- `verdict`: the entry point `analyze()` (build + unsafe values + outside source) and `describe()`.
- `loggers`: logging calls (`is_logging_call`, `LOG_METHODS`).
- `sql`: SQL text and value positions (`sql_verdict`, `sql_value_position`, `looks_like_sql_text`),
  SQLAlchemy objects (`sqlalchemy_object`).
"""
