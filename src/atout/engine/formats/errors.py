"""Errors raised by readers of outside formats: they name the problem and its place."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class FormatError(ValueError):
    """A file could not be read; the message names the file, sheet, line and column when known.

    ``problems`` holds every problem found when a reader collects several before giving up, so a
    user can fix a file in one pass.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: str | int | None = None,
        sheet: str | None = None,
        problems: list[FormatError] | None = None,
    ):
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        self.sheet = sheet
        self.problems = problems or []
        super().__init__(str(self))

    @property
    def place(self) -> str:
        parts = []
        if self.path:
            parts.append(Path(self.path).name)
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column is not None:
            parts.append(f"column '{self.column}'" if isinstance(self.column, str) else f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        head = f"{self.place}: {self.message}" if self.place else self.message
        if self.problems:
            head += "\n" + "\n".join(f"  - {p}" for p in self.problems)
        return head

    @classmethod
    def collect(cls, problems: list[FormatError], *, path: str | Path | None = None, limit: int = 50) -> FormatError:
        """One error carrying every problem found (the first ``limit`` of them)."""
        shown = problems[:limit]
        more = len(problems) - len(shown)
        summary = f"{len(problems)} problem(s) found; nothing was imported" + (f" ({more} more not shown)" if more else "")
        return cls(summary, path=path, problems=shown)


def require_columns(header: Iterable[str], required: Iterable[str], *, path: str | Path | None = None,
                    sheet: str | None = None, needs: str = "") -> None:
    """The readers' one header check: a :class:`FormatError` on line 1 naming every required column
    missing from ``header`` (``needs`` says what the file should be) and the columns found."""
    header = list(header)
    missing = [name for name in required if name not in header]
    if missing:
        found = ", ".join(h for h in header if h) or "nothing"
        raise FormatError(f"missing column(s) {', '.join(missing)}{' ' + needs if needs else ''} (found: {found})",
                          path=path, sheet=sheet, line=1)
