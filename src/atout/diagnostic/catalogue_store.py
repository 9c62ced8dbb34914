"""The indicator catalogue in the database: synced from the YAML files, edited in the admin, read as an
engine :class:`~atout.engine.catalogue.Catalogue`.

The YAML files shipped in ``catalogue/`` are the reference; :func:`sync_catalogue` copies them into the
``Indicator`` table, leaving alone the indicators a team edited in the admin (``edited``).
:func:`current_catalogue` rebuilds a validated engine catalogue from the table (cached until a row changes).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Max

from atout.engine.catalogue import Catalogue, catalogue_from_entries, read_entries

from .models import Indicator

_TEXTS = ("label", "long_label", "definition")
_PLAIN = ("unit", "source", "vintage", "polarity", "kind", "domain", "dimension", "audiences", "axis", "inputs",
          "weights", "files", "scale", "years", "method", "aspect")
#: YAML key → model field, for the optional references.
_REFS = {"ptod": "ptod", "numerator": "numerator", "denominator": "denominator", "from": "from_indicator",
         "to": "to_indicator"}

_cache: dict = {"key": None, "catalogue": None}


def fields_of(theme: str, entry: dict, order: int) -> dict:
    """A YAML catalogue entry → keyword arguments of an :class:`Indicator` row."""
    fields = {"theme": theme, "order": order}
    for key in _TEXTS + ("higher", "lower"):
        text = entry.get(key) or {}
        fields[f"{key}_fr"] = str(text.get("fr", "")).strip()
        fields[f"{key}_en"] = str(text.get("en", "")).strip()
    for key in _PLAIN:
        if key in entry and entry[key] is not None:
            fields[key] = entry[key]
    fields["vintage"] = str(entry.get("vintage", ""))
    fields["method"] = entry.get("method", "cagr")
    fields["aspect"] = entry.get("aspect", "trend" if entry.get("kind") == "rate_of_change" else "level")
    for key, name in _REFS.items():
        fields[name] = str(entry.get(key) or "")
    return fields


def entry_of(row: Indicator) -> tuple[str, dict]:
    """An :class:`Indicator` row → ``(theme, YAML-shaped entry)``, for the engine's validation."""
    entry: dict = {"code": row.code}
    for key in _TEXTS:
        entry[key] = {"fr": getattr(row, f"{key}_fr"), "en": getattr(row, f"{key}_en")}
    for key in ("higher", "lower"):
        if getattr(row, f"{key}_fr") and getattr(row, f"{key}_en"):
            entry[key] = {"fr": getattr(row, f"{key}_fr"), "en": getattr(row, f"{key}_en")}
    for key in _PLAIN:
        value = getattr(row, key)
        if value not in (None, "", []):
            entry[key] = value
    entry["polarity"] = row.polarity
    for key, name in _REFS.items():
        if getattr(row, name):
            entry[key] = getattr(row, name)
    if row.kind != "rate_of_change":
        entry.pop("method", None)
        entry.pop("years", None)
    if row.kind != "ratio":
        entry.pop("scale", None)
    return row.theme, entry


@transaction.atomic
def sync_catalogue(directory=None) -> dict:
    """Copy the YAML catalogue into the database → counts ``created``, ``updated``, ``kept`` (edited
    in the admin, left as they are), ``total``. Validates the YAML first (FormatError if it is wrong)."""
    entries = read_entries(directory)
    catalogue_from_entries(entries, source=str(directory or "catalogue"))  # refuse a broken catalogue
    existing = {row.code: row for row in Indicator.objects.all()}
    counts = {"created": 0, "updated": 0, "unchanged": 0, "kept": 0}
    for order, (theme, entry) in enumerate(entries):
        fields = fields_of(theme, entry, order)
        row = existing.get(entry["code"])
        if row is None:
            Indicator.objects.create(code=entry["code"], **fields)
            counts["created"] += 1
        elif row.edited:
            counts["kept"] += 1
        elif any(getattr(row, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(row, key, value)
            row.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    counts["total"] = Indicator.objects.count()
    return counts


def ensure_catalogue() -> None:
    """On first use, fill the Indicator table from the YAML catalogue."""
    if not Indicator.objects.exists():
        sync_catalogue()


def current_catalogue() -> Catalogue:
    """The database catalogue as a validated engine Catalogue (synced from YAML on first use).

    Cached in the process until an indicator is added, removed or saved. Raises FormatError if an
    edit in the admin left the catalogue inconsistent (the admin form prevents it).
    """
    ensure_catalogue()
    state = Indicator.objects.aggregate(n=Count("pk"), last=Max("updated"))
    key = (state["n"], state["last"])
    if _cache["key"] != key:
        rows = list(Indicator.objects.order_by("order", "code"))
        _cache["catalogue"] = catalogue_from_entries([entry_of(row) for row in rows], source="database")
        _cache["key"] = key
    return _cache["catalogue"]
