"""Where a command's rendered report goes: a file given with --output, else stdout."""

from __future__ import annotations

import sys
from pathlib import Path


def emit(text: str, output: str | None) -> bool:
    """Write the report; False (after a clear message) when the file cannot be written."""
    if not output:
        sys.stdout.write(text)
        return True
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"secreview: error: cannot write {output}: {exc.strerror or exc}", file=sys.stderr)
        return False
    return True
