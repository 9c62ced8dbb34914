"""Open data packages: tables → CSV files + a Frictionless ``datapackage.json`` (Table Schema).

Pure Python, no Django. A caller describes each table (:class:`Table`: its fields with types and
descriptions, keys, licences, sources, and its rows) and :func:`write_package` writes one CSV per table
(UTF-8 without BOM, comma-separated, one header line, ``\\n`` line ends) and the descriptor, following the
Frictionless Data Package / Table Schema specification (v1, also read by v2 tools):

- package: ``name``, ``title``, ``description``, ``licenses``, ``sources``, ``created``, ``keywords``;
- each resource: ``name``, ``path``, ``title``, ``description``, ``format``, ``mediatype``, ``encoding``,
  ``profile`` (``tabular-data-resource``), ``licenses``, ``sources``, ``bytes`` and ``hash``
  (``sha256:<hex>``) of the file as written, and its ``schema`` (fields with ``name``, ``type``,
  ``description``, ``constraints``; ``primaryKey``, ``foreignKeys``, ``missingValues``).

Cells: ``None`` and NaN are written as an empty cell (the schema's only missing value); booleans as
``true``/``false``; dates in ISO 8601; floats with Python's shortest round-trip representation. Every
text cell goes through :func:`atout.engine.formats.cells.safe_cell`, so a text beginning with ``=``,
``+``, ``-`` or ``@`` cannot run as a spreadsheet formula once downloaded.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .formats.cells import safe_cell

#: Field types used here (a subset of Table Schema's).
FIELD_TYPES = ("string", "integer", "number", "boolean", "date", "datetime", "year")
#: Resource and package names: lower case letters, digits, ``-``, ``_`` and ``.`` (Data Package rule).
NAME_PATTERN = re.compile(r"^[a-z0-9._-]+$")
DESCRIPTOR = "datapackage.json"

#: Licences referred to by the packages, as the Data Package spec wants them (``name`` from opendefinition.org
#: / SPDX where one exists, ``path`` to the text, ``title``).
ETALAB_2 = {"name": "etalab-2.0", "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
            "title": "Licence Ouverte / Open Licence version 2.0 (Etalab)"}
CC_BY_4 = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
           "title": "Creative Commons Attribution 4.0 International"}


class PackageError(ValueError):
    """A table that cannot be written as described (unknown type, bad name, row of the wrong length)."""


@dataclass(frozen=True)
class Field:
    """One column: ``name``, Table Schema ``type``, a ``description`` (units included) and optional
    ``constraints`` (``required``, ``unique``, ``minimum``, ``maximum``, ``enum``…)."""

    name: str
    type: str
    description: str
    title: str = ""
    constraints: dict = field(default_factory=dict)

    def descriptor(self) -> dict:
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.title:
            out["title"] = self.title
        out["description"] = self.description
        if self.type == "number":
            out["decimalChar"] = "."
        if self.constraints:
            out["constraints"] = dict(self.constraints)
        return out


@dataclass
class Table:
    """One resource: its description and its rows (sequences in the order of ``fields``, or dicts by name)."""

    name: str
    title: str
    description: str
    fields: list[Field]
    rows: Iterable[Sequence | dict] = ()
    primary_key: list[str] = field(default_factory=list)
    foreign_keys: list[dict] = field(default_factory=list)  # {"fields": [...], "reference": {"resource", "fields"}}
    licenses: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)  # {"title", "path"?}


@dataclass
class Package:
    """The package's own metadata."""

    name: str
    title: str
    description: str
    licenses: list[dict]
    sources: list[dict] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    created: dt.datetime | None = None
    homepage: str = ""


@dataclass
class WrittenResource:
    name: str
    path: str
    rows: int
    bytes: int
    hash: str


def cell(value: Any, kind: str) -> str:
    """The CSV text of one value of a field of Table Schema type ``kind``."""
    if value is None:
        return ""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return ""
    if kind == "boolean":
        return "true" if value else "false"
    if kind in ("integer", "year"):
        if isinstance(value, float) and not value.is_integer():
            raise PackageError(f"{value!r} is not an integer")
        return str(int(value))
    if kind == "number":
        if isinstance(value, Decimal):
            return format(value, "f")
        return repr(float(value))
    if kind == "date":
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if kind == "datetime":
        if isinstance(value, dt.datetime):
            return value.replace(microsecond=0).isoformat()
        return str(value)
    return str(safe_cell(str(value)))


def _check(table: Table) -> None:
    if not NAME_PATTERN.match(table.name):
        raise PackageError(f"resource {table.name!r}: names use lower-case letters, digits, '-', '_' and '.'")
    names = [f.name for f in table.fields]
    if len(set(names)) != len(names):
        raise PackageError(f"resource {table.name}: duplicate field names")
    for f in table.fields:
        if f.type not in FIELD_TYPES:
            raise PackageError(f"resource {table.name}, field {f.name}: unknown type {f.type!r}")
    for key in table.primary_key + [n for fk in table.foreign_keys for n in fk["fields"]]:
        if key not in names:
            raise PackageError(f"resource {table.name}: key field {key!r} is not a field")


def write_table(table: Table, path: Path) -> tuple[int, int, str]:
    """Write one table as CSV at ``path``. Returns (rows, bytes, sha256 hex)."""
    _check(table)
    names = [f.name for f in table.fields]
    types = [f.type for f in table.fields]
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(names)
        for number, row in enumerate(table.rows, start=1):
            values = [row.get(n) for n in names] if isinstance(row, dict) else list(row)
            if len(values) != len(names):
                raise PackageError(f"resource {table.name}, row {number}: {len(values)} values for {len(names)} fields")
            try:
                writer.writerow([cell(v, k) for v, k in zip(values, types, strict=True)])
            except PackageError as exc:
                raise PackageError(f"resource {table.name}, row {number}: {exc}") from exc
            count += 1
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
            size += len(chunk)
    return count, size, digest.hexdigest()


def resource_descriptor(table: Table, written: WrittenResource) -> dict:
    schema: dict[str, Any] = {"fields": [f.descriptor() for f in table.fields], "missingValues": [""]}
    if table.primary_key:
        schema["primaryKey"] = list(table.primary_key)
    if table.foreign_keys:
        schema["foreignKeys"] = [dict(fk) for fk in table.foreign_keys]
    out: dict[str, Any] = {
        "name": table.name, "path": written.path, "profile": "tabular-data-resource", "title": table.title,
        "description": table.description, "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "dialect": {"delimiter": ",", "quoteChar": '"', "header": True, "lineTerminator": "\n"},
        "bytes": written.bytes, "hash": f"sha256:{written.hash}",
    }
    if table.licenses:
        out["licenses"] = [dict(x) for x in table.licenses]
    if table.sources:
        out["sources"] = [dict(x) for x in table.sources]
    out["schema"] = schema
    return out


def package_descriptor(package: Package, tables: list[Table], written: list[WrittenResource]) -> dict:
    if not NAME_PATTERN.match(package.name):
        raise PackageError(f"package name {package.name!r}: lower-case letters, digits, '-', '_' and '.' only")
    created = package.created or dt.datetime.now(dt.UTC)
    out: dict[str, Any] = {
        "profile": "tabular-data-package", "name": package.name, "title": package.title,
        "description": package.description, "licenses": [dict(x) for x in package.licenses],
    }
    if package.sources:
        out["sources"] = [dict(x) for x in package.sources]
    if package.keywords:
        out["keywords"] = list(package.keywords)
    if package.homepage:
        out["homepage"] = package.homepage
    out["created"] = created.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    out["resources"] = [resource_descriptor(t, w) for t, w in zip(tables, written, strict=True)]
    return out


def write_package(package: Package, tables: list[Table], directory: str | Path) -> list[WrittenResource]:
    """Write ``<name>.csv`` for every table and ``datapackage.json`` into ``directory`` (which must exist).

    Returns what was written per resource (name, relative path, rows, bytes, sha256). Raises
    :class:`PackageError` naming the resource, row or field that cannot be written.
    """
    directory = Path(directory)
    names = [t.name for t in tables]
    if len(set(names)) != len(names):
        raise PackageError("two resources have the same name")
    written = []
    for table in tables:
        relative = f"{table.name}.csv"
        rows, size, digest = write_table(table, directory / relative)
        written.append(WrittenResource(table.name, relative, rows, size, digest))
    descriptor = package_descriptor(package, tables, written)
    (directory / DESCRIPTOR).write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return written
