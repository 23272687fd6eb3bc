#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "consult.settings")
    from django.core.management import execute_from_command_line

    from consult.infra.config import ConfigError

    try:
        execute_from_command_line(sys.argv)
    except ConfigError as error:
        # A wrong setting is the operator's to fix: one line, no traceback.
        sys.exit(f"consult: configuration error: {error}")


if __name__ == "__main__":
    main()
