"""Safe spreadsheet cells: text written to CSV or XLSX must not be read as a formula.

A spreadsheet program evaluates a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some,
after a leading tab or carriage return) as a formula: a participant's free-text answer such as
``=HYPERLINK("http://…")`` would run on the team's machine when the export is opened ("CSV
injection", OWASP). Every text cell written to an export goes through :func:`safe_cell`, which
prefixes such text with an apostrophe — the convention spreadsheet programs show as plain text.
Numbers are left alone: ``-3.5`` stored as a number is data, not a formula, and so is the text of a
plain number (``-3.5``, ``+33``, ``1e-3``) — a spreadsheet reads it as that number and nothing
else; ``-2+3`` or ``+1+1`` are not plain numbers and are neutralised.

Files that atout itself reads back (the action-plan spreadsheet, the stakeholder register) strip
that apostrophe again on import with :func:`unsafe_cell`, so export → import round-trips.
"""

from __future__ import annotations

import re
from typing import Any

#: Characters that make a spreadsheet program treat the cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: The same, as a set, to test a cell's first character (``cell[:1] in TRIGGER_SET``).
TRIGGER_SET = frozenset(FORMULA_TRIGGERS)
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def is_number(value: str) -> bool:
    """True for the text of a plain decimal number (``-3``, ``+4.5``, ``-1e-3``): no formula."""
    return _NUMBER.fullmatch(value) is not None


def safe_cell(value: Any) -> Any:
    """Return ``value`` ready for a CSV/XLSX cell: text that could start a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not is_number(value):
        return "'" + value
    return value


def safe_row(values) -> list:
    """:func:`safe_cell` applied to every cell of a row."""
    return [safe_cell(value) for value in values]


def unsafe_cell(value: Any) -> Any:
    """Undo :func:`safe_cell` on a cell read back from one of our exports: ``'=x`` → ``=x``.

    Only an apostrophe followed by a formula character is removed, so a text that genuinely
    starts with an apostrophe (and was exported as such) is kept."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] in TRIGGER_SET and not is_number(value[1:]):
        return value[1:]
    return value
