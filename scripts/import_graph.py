"""The import graph of the platform's code, and the floors it must respect.

`docs/architecture.md` draws the house floor by floor: a module imports from
its own package and from the floors below, never from a floor above, and no
two modules import each other, directly or round a loop (imports inside
functions count). `python scripts/import_graph.py` prints every breach;
`tests/test_architecture.py` fails on any.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Packages whose code is held to the floors, and where their files live.
CODE = ("consult", "proposals", "discussion", "asgi")
# Free to import anything: the tests, the benchmarks, the test support, tools.
FREE = ("tests", "bench", "scripts", "consult.testing")

# (package, floor), most specific first wins. The roof is `consult` itself.
FLOORS: tuple[tuple[str, int], ...] = (
    ("consult.infra", 1),
    ("consult.analysis", 1),
    ("consult.accounts", 2),
    ("consult.notifications", 3),
    ("consult.identity", 3),
    ("proposals", 4),
    ("discussion", 5),
    ("consult.opendata", 6),
    ("consult.reports", 7),
    ("consult.api", 8),
    ("consult.privacy", 8),
    ("consult", 9),
)
FLOOR_NAMES = {
    1: "ground",
    2: "accounts",
    3: "notifications and identity",
    4: "proposals",
    5: "discussion",
    6: "open data",
    7: "reports",
    8: "API and privacy",
    9: "roof",
}


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files(root: Path = ROOT) -> Iterator[Path]:
    for top in CODE:
        base = root / top
        if base.with_suffix(".py").is_file():
            yield base.with_suffix(".py")
            continue
        for path in sorted(base.rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def placed(module: str) -> tuple[str, int] | None:
    """The package a module belongs to on the floor plan, and its floor."""
    if module == "asgi":
        return "consult", 9
    for package, floor in FLOORS:
        if module == package or module.startswith(package + "."):
            return package, floor
    return None


def is_free(module: str) -> bool:
    return any(module == free or module.startswith(free + ".") for free in FREE)


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(path: Path, modules: set[str], root: Path = ROOT) -> Iterator[Import]:
    """Every import of one of `modules` in a file, at any depth in it."""
    importer = module_name(path, root)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(importer, path.name == "__init__.py", node)
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        else:
            continue
        for name in names:
            target = _known(name, modules)
            if target and target != importer:
                yield Import(importer, target, node.lineno)


def _known(name: str, modules: set[str]) -> str | None:
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def graph(root: Path = ROOT) -> list[Import]:
    files = list(source_files(root))
    modules = {module_name(path, root) for path in files}
    found: list[Import] = []
    for path in files:
        found.extend(imports_of(path, modules, root))
    return found


def wrong_way(edges: Iterable[Import]) -> list[str]:
    """Imports of a floor above, or of another package on the same floor."""
    breaches = []
    for edge in edges:
        if is_free(edge.importer) or is_free(edge.imported):
            continue
        here, there = placed(edge.importer), placed(edge.imported)
        if here is None or there is None:
            breaches.append(f"{edge.importer}:{edge.line} imports {edge.imported}, on no floor")
            continue
        (package, floor), (other, other_floor) = here, there
        if other_floor > floor or (other_floor == floor and other != package):
            breaches.append(
                f"{edge.importer}:{edge.line} (floor {floor}, {FLOOR_NAMES[floor]}) imports "
                f"{edge.imported} (floor {other_floor}, {FLOOR_NAMES[other_floor]})"
            )
    return breaches


def cycles(edges: Iterable[Import]) -> list[list[str]]:
    """Groups of modules that import each other round a loop (Tarjan)."""
    succ: dict[str, set[str]] = {}
    for edge in edges:
        if is_free(edge.importer):
            continue
        succ.setdefault(edge.importer, set()).add(edge.imported)
        succ.setdefault(edge.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(succ):
        if start in index:
            continue
        work = [(start, iter(sorted(succ[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(succ[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        found.append(sorted(group))
    return found


def main() -> int:
    edges = graph()
    breaches = wrong_way(edges)
    loops = cycles(edges)
    for breach in breaches:
        print("wrong way:", breach)
    for loop in loops:
        print("cycle:", " <-> ".join(loop))
    print(f"{len(edges)} imports, {len(breaches)} against the floors, {len(loops)} cycles")
    return 1 if breaches or loops else 0


if __name__ == "__main__":
    sys.exit(main())
