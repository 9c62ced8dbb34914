"""Real statistics for the Drôme demo: the INSEE comparateur and dossier complet of the Drôme communes,
and the PTOD département indicators (with their dictionary), from ``ATOUT_DATA_DIR/indicators/``.

Idempotent: a file already imported with the same checksum is not imported again. Missing files are
skipped with a message saying which and where they were looked for.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .catalogue_store import sync_catalogue
from .imports import import_file
from .models import ImportBatch

#: (path under the data directory, format), in import order.
DEMO_FILES = [
    ("indicators/insee/dossier_complet_light_dep26.csv", "insee"),
    ("indicators/insee/base_cc_comparateur_2025_dep26.csv", "insee"),
    ("indicators/departements-indicateurs-ptod.json", "ptod"),
]
PTOD_DICTIONARY = "indicators/ptod-dictionnaire-indicateurs.json"


@dataclass
class DiagnosticDemoReport:
    imported: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    catalogue: dict = field(default_factory=dict)

    def messages(self) -> list[str]:
        return ([f"imported {name}" for name in self.imported] + [f"already imported {name}" for name in self.already]
                + [f"missing {name}: skipped (set ATOUT_DATA_DIR to the data folder)" for name in self.missing])


def prepare(data_dir: str | Path | None) -> DiagnosticDemoReport:
    """Import the demo's statistics from ``data_dir`` (the ``ATOUT_DATA_DIR`` folder) → a report."""
    report = DiagnosticDemoReport(catalogue=sync_catalogue())
    base = Path(data_dir) if data_dir else None
    for relative, fmt in DEMO_FILES:
        path = base / relative if base else None
        if path is None or not path.is_file():
            report.missing.append(str(path or relative))
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if ImportBatch.objects.filter(sha256=digest, format=fmt).exists():
            report.already.append(path.name)
            continue
        dictionary = base / PTOD_DICTIONARY if fmt == "ptod" and (base / PTOD_DICTIONARY).is_file() else None
        import_file(path, fmt, dictionary=dictionary)
        report.imported.append(path.name)
    return report


def prepare_process(process) -> DiagnosticDemoReport:
    """The demo step (declared in this app's contract.py): statistics from ``ATOUT_DATA_DIR``."""
    from django.conf import settings

    return prepare(settings.ATOUT_DATA_DIR or None)
