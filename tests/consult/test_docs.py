"""The README's configuration table covers every variable the settings read."""

import re

from django.conf import settings


def test_every_environment_variable_is_documented():
    source = (settings.BASE_DIR / "consult" / "settings.py").read_text()
    source += (settings.BASE_DIR / "consult" / "infra" / "config.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|list|networks)\(\s*"([A-Z_]+)"', source))
    assert {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"} <= read
    readme = (settings.BASE_DIR / "README.md").read_text()
    table_rows = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, flags=re.MULTILINE))
    assert read - table_rows == set()
