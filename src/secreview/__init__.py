"""secreview: grounded security review of Python code."""

__version__ = "0.1.0"
