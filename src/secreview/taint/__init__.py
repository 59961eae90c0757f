"""Taint analysis: library knowledge as data (`specs/*.toml`, vocabulary in `spec.py`)
and the engine that follows values from sources to sinks across functions and modules."""
