"""The ``atout`` command: Django's management utility with atout's settings.

``atout territories import`` runs the ``territories`` management command with the subcommand ``import``;
any Django command works too (``atout migrate``, ``atout createsuperuser``). Each capability adds a
command group in its app's ``management/commands/``.
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atout.settings")
    from django.core.management import ManagementUtility

    utility = ManagementUtility(["atout", *(sys.argv[1:] if argv is None else argv)])
    utility.prog_name = "atout"
    utility.execute()
    return 0


if __name__ == "__main__":
    sys.exit(main())
