"""The house stays as drawn: imports follow the floors, without cycles, and
modules and functions stay small enough to read (docs/architecture.md)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from scripts import import_graph, sizes


def test_every_import_follows_the_floors():
    assert import_graph.wrong_way(import_graph.graph()) == []


def test_no_modules_import_each_other_round_a_loop():
    assert import_graph.cycles(import_graph.graph()) == []


def test_no_module_or_function_past_its_size_unless_listed_with_a_reason():
    assert sizes.oversized() == []
    assert all(reason.strip() for reason in sizes.EXCEPTIONS.values())


def test_a_listed_exception_is_let_through_and_only_it(tmp_path, monkeypatch):
    body = "".join(f"    x{n} = {n}\n" for n in range(61))
    _plant(tmp_path, {"proposals/big.py": "def long():\n" + body + "def longer():\n" + body})
    monkeypatch.setattr(sizes, "EXCEPTIONS", {"proposals/big.py:long": "a reason"})
    assert sizes.oversized(tmp_path) == ["proposals/big.py:longer (line 63): 62 lines"]


def _plant(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def house(tmp_path, monkeypatch):
    """A small copy of the house: a floor-2 module, a floor-5 module, the roof."""
    _plant(
        tmp_path,
        {
            "asgi.py": "import consult.urls\n",
            "consult/__init__.py": "",
            "consult/urls.py": "from discussion import views\n",
            "consult/infra/__init__.py": "",
            "consult/infra/text.py": "import re\n",
            "consult/accounts/__init__.py": "",
            "consult/accounts/models.py": "from consult.infra import text\n",
            "discussion/__init__.py": "",
            "discussion/views.py": "from consult.accounts import models\n",
            "discussion/models.py": "",
            "proposals/__init__.py": "",
        },
    )
    return tmp_path


def test_the_planted_house_is_clean(house):
    edges = import_graph.graph(house)
    assert {(e.importer, e.imported) for e in edges} == {
        ("asgi", "consult.urls"),
        ("consult.urls", "discussion.views"),
        ("consult.accounts.models", "consult.infra.text"),
        ("discussion.views", "consult.accounts.models"),
    }
    assert import_graph.wrong_way(edges) == []
    assert import_graph.cycles(edges) == []


def test_a_planted_import_of_a_floor_above_is_caught_even_inside_a_function(house):
    _plant(
        house,
        {
            "consult/accounts/models.py": """
                from consult.infra import text

                def later():
                    from discussion.models import Comment
                    return Comment
            """
        },
    )
    breaches = import_graph.wrong_way(import_graph.graph(house))
    assert breaches == [
        "consult.accounts.models:5 (floor 2, accounts) imports discussion.models "
        "(floor 5, discussion)"
    ]


def test_a_planted_import_of_a_neighbour_on_the_same_floor_is_caught(house):
    _plant(
        house,
        {
            "consult/api/__init__.py": "",
            "consult/api/models.py": "",
            "consult/privacy/__init__.py": "",
            "consult/privacy/services.py": "from consult.api import models\n",
        },
    )
    breaches = import_graph.wrong_way(import_graph.graph(house))
    assert breaches == [
        "consult.privacy.services:1 (floor 8, API and privacy) imports consult.api.models "
        "(floor 8, API and privacy)"
    ]


def test_a_planted_cycle_is_caught_even_through_a_relative_import(house):
    _plant(
        house,
        {
            "discussion/models.py": "def later():\n    from .views import x\n",
            "discussion/views.py": "from discussion import models\n",
        },
    )
    assert import_graph.cycles(import_graph.graph(house)) == [
        ["discussion.models", "discussion.views"]
    ]


def test_a_planted_long_function_is_caught(tmp_path):
    body = "".join(f"    x{n} = {n}\n" for n in range(61))
    _plant(tmp_path, {"proposals/big.py": "def long():\n" + body})
    assert sizes.oversized(tmp_path) == ["proposals/big.py:long (line 1): 62 lines"]
