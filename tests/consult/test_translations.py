"""Every interface string, as the source has it today, has a Chinese translation."""

import os
import shutil
import subprocess
import sys

import polib
import pytest

from tests.conftest import BASE_DIR, subprocess_env

CATALOGUE = "locale/zh_Hans/LC_MESSAGES/django.po"


def untranslated(path) -> list[str]:
    catalogue = polib.pofile(str(path))
    missing = [e.msgid for e in catalogue if not e.obsolete and not e.translated()]
    return missing + [e.msgid for e in catalogue.fuzzy_entries()]


def test_the_committed_catalogue_is_complete():
    assert len(polib.pofile(str(BASE_DIR / CATALOGUE))) > 50
    assert untranslated(BASE_DIR / CATALOGUE) == []


def test_strings_extracted_from_the_source_now_are_all_translated(tmp_path):
    """Extracts afresh (as `make messages` would) in a copy, so a string added
    to a template or module without a translation fails here."""
    if not shutil.which("xgettext"):
        if os.environ.get("CI"):
            pytest.fail("CI needs GNU gettext (xgettext) to check the catalogue")
        pytest.skip("GNU gettext is not installed (apt-get install gettext)")
    for name in ("consult", "proposals", "discussion", "templates", "locale"):
        shutil.copytree(
            BASE_DIR / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
        )
    shutil.copy(BASE_DIR / "manage.py", tmp_path / "manage.py")
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "zh_Hans", "--no-obsolete"],
        cwd=tmp_path,
        env={**subprocess_env(), "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert untranslated(tmp_path / CATALOGUE) == []
