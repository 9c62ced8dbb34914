"""``atout weights``: survey weighting from the command line.

``atout weights rake SAMPLE.csv --margins MARGINS.csv [--id-column ID] [--trim LOW,HIGH]
[--max-iter N] [--tolerance T] --json`` rakes the respondents of SAMPLE.csv (one column per
weighting variable, plus the optional id column) to the margins of MARGINS.csv
(``variable,category,target``; per variable, targets summing to 1 ± 1e-6 are proportions, other
targets are counts and are normalised). Weights are scaled to average 1.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.management.base import CommandError

from atout.commands import GroupCommand, json_flag
from atout.engine.weighting import RakingError, rake

MARGIN_COLUMNS = ("variable", "category", "target")


def _add_rake_arguments(parser) -> None:
    parser.add_argument("sample", help="CSV of respondents: one column per weighting variable")
    parser.add_argument("--margins", required=True, help="CSV with columns variable,category,target")
    parser.add_argument("--id-column", dest="id_column", default=None,
                        help="column of respondent ids (default: 1-based row numbers)")
    parser.add_argument("--trim", default=None, metavar="LOW,HIGH",
                        help="bounds on the weights (which average 1), e.g. 0.3,3; re-raked after trimming")
    parser.add_argument("--max-iter", dest="max_iter", type=int, default=1000, help="largest number of raking cycles")
    parser.add_argument("--tolerance", type=float, default=1e-10,
                        help="largest allowed difference between an achieved share and its target")
    json_flag(parser)


class Command(GroupCommand):
    help = "Survey weighting: rake respondents to population margins."
    actions = {"rake": ("rake a sample to population margins (iterative proportional fitting)", _add_rake_arguments)}
    offline_actions = frozenset({"rake"})

    def do_rake(self, *, sample, margins, id_column=None, trim=None, max_iter=1000, tolerance=1e-10, **options):
        sample_path, margins_path = Path(sample), Path(margins)
        ids, columns = read_sample(sample_path, id_column)
        targets = read_margins(margins_path)
        check_variables(columns, targets, sample_path, margins_path)
        if max_iter < 1:
            raise CommandError("--max-iter must be at least 1")
        if not tolerance > 0:
            raise CommandError("--tolerance must be a positive number")
        try:
            result = rake(columns, targets, tolerance=tolerance, max_iter=max_iter, trim=parse_trim(trim))
        except RakingError as exc:
            raise CommandError(_describe(exc, sample_path, margins_path)) from None
        return {
            "weights": {rid: float(w) for rid, w in zip(ids, result.weights, strict=True)},
            "achieved": result.achieved,
            "iterations": result.iterations,
            "deff": result.deff,
            "effective_n": result.effective_n,
            "n": len(ids),
            "max_deviation": result.max_deviation,
        }

    def render_rake(self, result) -> str:
        lines = [
            f"{result['n']} respondents weighted in {result['iterations']} iteration(s); "
            f"design effect {result['deff']:.3f}, effective sample size {result['effective_n']:.1f}",
        ]
        for variable, shares in result["achieved"].items():
            lines.append(f"  {variable}: " + ", ".join(f"{c} {s:.4f}" for c, s in shares.items()))
        lines.append("(use --json for the weights)")
        return "\n".join(lines)


def _open_csv(path: Path):
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    first_line = text.split("\n", 1)[0]
    # French spreadsheets save CSV with ';'; take it when the header has ';' and no ','.
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise CommandError(f"{path}: empty file, expected a header line")
    return [h.strip() for h in header], reader


def read_sample(path: Path, id_column: str | None) -> tuple[list[str], dict[str, list[str]]]:
    """Respondent ids and one list of categories per weighting variable; errors name file and line."""
    header, reader = _open_csv(path)
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise CommandError(f"{path}, line 1: column '{duplicates[0]}' appears twice")
    if id_column is not None and id_column not in header:
        raise CommandError(f"{path}, line 1: no id column '{id_column}' (columns: {', '.join(header)})")
    variables = [h for h in header if h != id_column]
    if not variables:
        raise CommandError(f"{path}, line 1: no weighting variable column")
    columns: dict[str, list[str]] = {v: [] for v in variables}
    ids: list[str] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise CommandError(f"{path}, line {line}: {len(row)} fields, expected {len(header)}")
        record = dict(zip(header, (cell.strip() for cell in row), strict=True))
        for variable in variables:
            if record[variable] == "":
                raise CommandError(f"{path}, line {line}, column '{variable}': empty category")
            columns[variable].append(record[variable])
        rid = record[id_column] if id_column else str(len(ids) + 1)
        if rid == "":
            raise CommandError(f"{path}, line {line}, column '{id_column}': empty id")
        if rid in seen:
            raise CommandError(f"{path}, line {line}, column '{id_column}': id '{rid}' already used at line {seen[rid]}")
        seen[rid] = line
        ids.append(rid)
    if not ids:
        raise CommandError(f"{path}: no respondent rows")
    return ids, columns


def read_margins(path: Path) -> dict[str, dict[str, float]]:
    """variable → category → target from a ``variable,category,target`` CSV."""
    header, reader = _open_csv(path)
    missing = [c for c in MARGIN_COLUMNS if c not in header]
    if missing:
        raise CommandError(f"{path}, line 1: missing column(s) {', '.join(missing)}; expected variable,category,target")
    index = {c: header.index(c) for c in MARGIN_COLUMNS}
    margins: dict[str, dict[str, float]] = {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise CommandError(f"{path}, line {line}: {len(row)} fields, expected {len(header)}")
        variable, category, target = (row[index[c]].strip() for c in MARGIN_COLUMNS)
        if not variable or not category:
            raise CommandError(f"{path}, line {line}: empty variable or category")
        try:
            # A decimal comma (0,25) is read as a decimal point, as French spreadsheets write it.
            value = float(target.replace(",", ".") if "." not in target else target)
        except ValueError:
            raise CommandError(f"{path}, line {line}, column 'target': {target!r} is not a number") from None
        categories = margins.setdefault(variable, {})
        if category in categories:
            raise CommandError(f"{path}, line {line}: category '{category}' of variable '{variable}' appears twice")
        categories[category] = value
    if not margins:
        raise CommandError(f"{path}: no margin rows")
    return margins


def check_variables(columns: dict, margins: dict, sample_path: Path, margins_path: Path) -> None:
    for variable in columns:
        if variable not in margins:
            raise CommandError(f"{sample_path}: variable '{variable}' has no margins in {margins_path}")
    for variable in margins:
        if variable not in columns:
            raise CommandError(f"{margins_path}: variable '{variable}' is not a column of {sample_path}")


def parse_trim(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    parts = text.split(",")
    try:
        low, high = (float(p) for p in parts)
    except ValueError:
        raise CommandError(f"--trim expects LOW,HIGH (e.g. 0.3,3), got {text!r}") from None
    if not (0 <= low < 1 < high):
        raise CommandError(f"--trim bounds must satisfy 0 <= LOW < 1 < HIGH (weights average 1), got {text!r}")
    return low, high


def _describe(exc: RakingError, sample_path: Path, margins_path: Path) -> str:
    message = str(exc)
    if exc.source == "sample" and exc.category is not None:
        return f"{sample_path}: category '{exc.category}' of variable '{exc.variable}' is not in {margins_path}"
    if exc.source == "margins" and exc.category is not None:
        detail = message.split(": ", 1)[-1]
        return f"{margins_path}: {detail.replace('in the sample', f'in {sample_path}')}"
    return message.replace("sample:", f"{sample_path}:").replace("margins:", f"{margins_path}:")
