"""Rule modules: every module here that does not start with `_` is a rule.

See `secreview/ruleset.py` for the contract and `README.md` beside this file.
"""
