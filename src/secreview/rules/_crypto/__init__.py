"""Shared facts for the cryptography rules (SR3xx); private, not a rule.

Not a rule package (leading underscore). Everything here is AST-only. Identifiers are
judged word by word, so that `author` is not `auth` and `token_type` (what a value is
called, not the value) never counts.

Import each name from the module that holds it:

- `identifiers`: `word_set`, `words_of`; names of passwords (`names_password`), security values
  (`security_value`) and non-security purposes (`non_security_purpose`).
- `values`: what a value is: `resolve`, `single_value`, `function_params`, `literal_data`, `hardcoded`,
  `class_constant`, `literal_number`, `value_identifiers`.
- `destinations`: where a value goes (`destinations`): target, keyword, dict key or `return`.
- `scopes`: the code around a node: `function_name`, `calls_in_function`, `guarded_by_option`, `imports_crypto`.
- `references`: local references and their calls: `reference`, `same_target`, `bound_name`, `method_calls`.
- `hashes`: hash constructors: `hash_constructor`, `used_not_for_security`, `WEAK_ALGORITHMS`,
  `CRYPTOGRAPHY_HASHES`.
- `randomness`: random-number calls in an expression (`random_call`).
- `password_digest`: whether a fast digest hashes a password (`password_digest`): password-fast-hash's verdict,
  which weak-hash-for-security asks too so that one call is reported once.
- `weak_values`: insecure-random's verdict on a weak value's flow (`weak_flow_hit`, `token_material`).
"""
