"""Readers of the official French geography: INSEE COG, legal populations, DGCL EPCI, IGN contours.

Every reader returns plain records and raises :class:`FormatError` naming the file, line and column
of the first problems it meets. Files are those of the offline mirror (``ATOUT_DATA_DIR/geo``) or
the same files downloaded from their official source.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import FormatError, require_columns

#: INSEE types of commune: only ``COM`` are communes in their own right; delegated (COMD) and
#: associated (COMA) communes and municipal arrondissements (ARM) belong to one.
ACTUAL_COMMUNE = "COM"


@dataclass(frozen=True)
class CommuneRecord:
    code: str
    name: str
    departement: str
    region: str


@dataclass(frozen=True)
class DepartementRecord:
    code: str
    name: str
    region: str


@dataclass(frozen=True)
class PopulationRecord:
    code: str
    municipal: int  # PMUN: population municipale
    total: int  # PTOT: population totale
    region_name: str


@dataclass
class EpciRecord:
    siren: str
    name: str
    legal_form: str  # CA, CC, CU, METRO, MET69
    members: list[str] = field(default_factory=list)  # INSEE codes of member communes


@dataclass(frozen=True)
class Movement:
    kind: int  # MOD: 32 = commune nouvelle, 31 = fusion simple, 21 = rétablissement, ...
    effective: dt.date
    type_before: str
    code_before: str
    type_after: str
    code_after: str


def _rows(path: Path, delimiter: str, required: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) of a CSV file after checking its header."""
    path = Path(path)
    if not path.is_file():
        raise FormatError("file not found", path=path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
        with handle:
            reader = csv.DictReader(handle, delimiter=delimiter)
            header = reader.fieldnames or []
            require_columns(header, required, path=path)
            for row in reader:
                # DictReader fills a short row with None and files a long row's extra cells under None.
                if None in row or None in row.values():
                    raise FormatError(
                        f"expected {len(header)} fields as in the header, found {len(row) - (None in row)}"
                        + (" or more" if None in row else ""),
                        path=path, line=reader.line_num,
                    )
                yield reader.line_num, row
    except UnicodeDecodeError as exc:
        raise FormatError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=path) from exc
    except csv.Error as exc:
        raise FormatError(f"malformed CSV: {exc}", path=path) from exc


def _need(row: dict[str, str], column: str, path: Path, line: int, *, digits: bool = False) -> str:
    value = (row.get(column) or "").strip()
    if not value:
        raise FormatError("empty value", path=path, line=line, column=column)
    if digits and not value.isdigit():
        raise FormatError(f"{value!r} is not a whole number", path=path, line=line, column=column)
    return value


def read_communes(path: Path) -> list[CommuneRecord]:
    """Actual communes of the COG (``TYPECOM == 'COM'``), delegated and associated ones left out."""
    records = []
    for line, row in _rows(path, ",", ["TYPECOM", "COM", "REG", "DEP", "LIBELLE"]):
        if row["TYPECOM"].strip() != ACTUAL_COMMUNE:
            continue
        records.append(
            CommuneRecord(
                code=_need(row, "COM", path, line),
                name=_need(row, "LIBELLE", path, line),
                departement=_need(row, "DEP", path, line),
                region=_need(row, "REG", path, line),
            )
        )
    if not records:
        raise FormatError("no commune of type COM found", path=path)
    return records


def read_arrondissement_parents(path: Path) -> dict[str, str]:
    """Municipal arrondissements (Paris, Lyon, Marseille) → their commune: populations are
    published per arrondissement and summed to the commune."""
    return {
        _need(row, "COM", path, line): _need(row, "COMPARENT", path, line)
        for line, row in _rows(path, ",", ["TYPECOM", "COM", "COMPARENT"])
        if row["TYPECOM"].strip() == "ARM"
    }


def read_departements(path: Path) -> list[DepartementRecord]:
    return [
        DepartementRecord(
            code=_need(row, "DEP", path, line),
            name=_need(row, "LIBELLE", path, line),
            region=_need(row, "REG", path, line),
        )
        for line, row in _rows(path, ",", ["DEP", "REG", "LIBELLE"])
    ]


def read_populations(path: Path) -> list[PopulationRecord]:
    """INSEE legal populations (``;``-separated): municipal (PMUN) and total (PTOT) per commune."""
    return [
        PopulationRecord(
            code=_need(row, "COM", path, line),
            municipal=int(_need(row, "PMUN", path, line, digits=True)),
            total=int(_need(row, "PTOT", path, line, digits=True)),
            region_name=(row.get("Région") or "").strip(),
        )
        for line, row in _rows(path, ";", ["REG", "Région", "COM", "PMUN", "PTOT"])
    ]


def read_movements(path: Path) -> list[Movement]:
    movements = []
    for line, row in _rows(path, ",", ["MOD", "DATE_EFF", "TYPECOM_AV", "COM_AV", "TYPECOM_AP", "COM_AP"]):
        try:
            effective = dt.date.fromisoformat(_need(row, "DATE_EFF", path, line))
        except ValueError as exc:
            raise FormatError(f"{row['DATE_EFF']!r} is not an ISO date", path=path, line=line, column="DATE_EFF") from exc
        movements.append(
            Movement(
                kind=int(_need(row, "MOD", path, line, digits=True)),
                effective=effective,
                # A creation (MOD 20) has no "before" side, hence optional codes on both sides.
                type_before=(row["TYPECOM_AV"] or "").strip(),
                code_before=(row["COM_AV"] or "").strip(),
                type_after=(row["TYPECOM_AP"] or "").strip(),
                code_after=(row["COM_AP"] or "").strip(),
            )
        )
    return movements


EPCI_COLUMNS = ["siren", "raison_sociale", "nature_juridique", "insee"]


def read_epci_composition(path: Path) -> list[EpciRecord]:
    """DGCL composition of EPCIs à fiscalité propre (xlsx, one row per member commune)."""
    import openpyxl

    path = Path(path)
    if not path.is_file():
        raise FormatError("file not found", path=path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise FormatError(f"not a readable XLSX workbook ({exc.__class__.__name__}: {exc})", path=path) from exc
    try:
        sheet = workbook[workbook.sheetnames[0]]
        rows = sheet.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, [])]
        require_columns(header, EPCI_COLUMNS, path=path, sheet=sheet.title)
        index = {name: header.index(name) for name in EPCI_COLUMNS}
        epcis: dict[str, EpciRecord] = {}
        for line, row in enumerate(rows, start=2):
            if row is None or all(v is None for v in row):
                continue
            values = {name: row[i] if i < len(row) else None for name, i in index.items()}
            for name, value in values.items():
                if value is None or str(value).strip() == "":
                    raise FormatError("empty value", path=path, sheet=sheet.title, line=line, column=name)
            siren = str(values["siren"]).strip()
            if not siren.isdigit() or len(siren) != 9:
                raise FormatError(f"{siren!r} is not a 9-digit SIREN", path=path, sheet=sheet.title, line=line, column="siren")
            commune = str(values["insee"]).strip()
            epci = epcis.setdefault(
                siren,
                EpciRecord(siren=siren, name=str(values["raison_sociale"]).strip(), legal_form=str(values["nature_juridique"]).strip()),
            )
            epci.members.append(commune)
        return list(epcis.values())
    finally:
        workbook.close()


def read_contours(path: Path, code_property: str = "code") -> dict[str, dict]:
    """GeoJSON features → {code: geometry (GeoJSON dict)}."""
    path = Path(path)
    if not path.is_file():
        raise FormatError("file not found", path=path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise FormatError(f"invalid JSON: {exc.msg}", path=path, line=exc.lineno, column=exc.colno) from exc
    except UnicodeDecodeError as exc:
        raise FormatError("not UTF-8 text", path=path) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise FormatError("not a GeoJSON FeatureCollection", path=path)
    features = data.get("features")
    if not isinstance(features, list):
        raise FormatError("'features' must be a list of GeoJSON features", path=path, column="features")
    contours = {}
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            raise FormatError(f"feature #{number} is not a GeoJSON object", path=path)
        props = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        geometry = feature.get("geometry")
        code = props.get(code_property)
        if not code or not isinstance(code, str | int):
            raise FormatError(f"feature #{number} has no '{code_property}' property", path=path, column=code_property)
        if not isinstance(geometry, dict) or geometry.get("type") not in {"Polygon", "MultiPolygon"}:
            raise FormatError(f"feature #{number} ({code}) has no polygon geometry", path=path, column="geometry")
        contours[str(code)] = geometry
    return contours


def successor_codes(movements: list[Movement], current: set[str], *, since: dt.date, until: dt.date) -> dict[str, str]:
    """Map commune codes of an older COG to the current commune that absorbed them.

    Follows merger events (a commune becoming part of another) effective in ``(since, until]``, in
    date order, so a commune merged twice lands on its final successor. Codes still current map to
    themselves and are left out of the result.
    """
    absorbed: dict[str, str] = {}
    for move in sorted(movements, key=lambda m: m.effective):
        if not (since < move.effective <= until):
            continue
        if move.type_before != ACTUAL_COMMUNE or move.type_after != ACTUAL_COMMUNE:
            continue
        if not move.code_before or not move.code_after or move.code_before == move.code_after:
            continue
        absorbed[move.code_before] = move.code_after
    resolved = {}
    for old in absorbed:
        new, seen = old, set()
        while new in absorbed and new not in current and new not in seen:
            seen.add(new)
            new = absorbed[new]
        if new in current and old not in current:
            resolved[old] = new
    return resolved
