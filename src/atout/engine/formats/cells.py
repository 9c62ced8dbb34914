"""Safe spreadsheet cells: text written to CSV or XLSX must not be read as a formula.

A spreadsheet program evaluates a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some,
after a leading tab or carriage return) as a formula: a participant's free-text answer such as
``=HYPERLINK("http://…")`` would run on the team's machine when the export is opened ("CSV
injection", OWASP). Every text cell written to an export goes through :func:`safe_cell`, which
prefixes such text with an apostrophe — the convention spreadsheet programs show as plain text.
Numbers are left alone: ``-3.5`` stored as a number is data, not a formula.
"""

from __future__ import annotations

from typing import Any

#: Characters that make a spreadsheet program treat the cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Return ``value`` ready for a CSV/XLSX cell: text that could start a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_row(values) -> list:
    """:func:`safe_cell` applied to every cell of a row."""
    return [safe_cell(value) for value in values]
