"""Modules past 500 lines and functions past 60, outside migrations and tests.

`docs/architecture.md` asks for a module to be split where it passes about 500
lines and a function where it passes 60; the exceptions, each with its
reason, are listed in `EXCEPTIONS`. `python scripts/sizes.py` prints what is
over; `tests/test_architecture.py` fails on anything not listed.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = ("consult", "proposals", "discussion", "asgi.py", "manage.py")
SKIP = ("migrations", "demo", "testing")
MODULE_LINES = 500
FUNCTION_LINES = 60

# "path" or "path:function" -> why it stays as it is. None today.
EXCEPTIONS: dict[str, str] = {}


def files(root: Path = ROOT) -> Iterator[Path]:
    for top in CODE:
        base = root / top
        paths = [base] if base.is_file() else sorted(base.rglob("*.py"))
        for path in paths:
            if not any(part in SKIP for part in path.relative_to(root).parts):
                yield path


def oversized(root: Path = ROOT) -> list[str]:
    found = []
    for path in files(root):
        name = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > MODULE_LINES and name not in EXCEPTIONS:
            found.append(f"{name}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                key = f"{name}:{node.name}"
                if length > FUNCTION_LINES and key not in EXCEPTIONS:
                    found.append(f"{key} (line {node.lineno}): {length} lines")
    return found


if __name__ == "__main__":
    over = oversized()
    print("\n".join(over) or "nothing over")
    sys.exit(1 if over else 0)
