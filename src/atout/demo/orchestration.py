"""The Drôme demo put together: the real geography, the demo process, then each app's demo step.

Each app declares its step in its ``contract.py`` (``demo=DemoStep(..., after=...)``); they run in the
order :func:`atout.core.contracts.demo_steps` gives. Everything is real except what says otherwise:
the steps add simulated answers and label them "données simulées" wherever they are shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.module_loading import import_string

from atout.core.contracts import demo_steps
from atout.core.planner import refresh_statistics
from atout.engine.sources import SourceUnavailable
from atout.processes import demo as process_demo
from atout.territories import importer
from atout.territories.services import geography_loaded

SLUG = process_demo.SLUG


@dataclass
class DemoReport:
    geography: str = ""
    missing: list[str] = field(default_factory=list)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)
    zones: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def prepare(*, progress=None) -> DemoReport:
    """Idempotent: running it again refreshes the demo without duplicating anything."""
    report = DemoReport()
    _geography(report, progress)
    process = process_demo.prepare_process(report)
    if not geography_loaded():
        # Every capability's demo reads by sub-territory: without the geography there is nothing to show.
        report.notes.append("capability demos skipped (statistics, surveys, conversations, plan, community, "
                            "fieldwork): they need the official geography")
        return report
    for label, step in demo_steps():
        report.steps.append(step.function)
        report.notes.extend(_run_step(label, step.function, process))
    refresh_statistics()
    return report


def _geography(report: DemoReport, progress) -> None:
    if geography_loaded():
        report.geography = "already loaded"
        return
    try:
        files = importer.locate_geo_files(download=True, progress=progress)
    except SourceUnavailable as exc:
        report.missing.append(str(exc))
        report.geography = "missing"
    else:
        importer.import_geography(files)
        report.geography = "imported"


def _run_step(label: str, dotted: str, process) -> list[str]:
    """Run one app's demo step; its report's ``messages()``, if any, are passed on."""
    outcome = import_string(dotted)(process)
    messages = getattr(outcome, "messages", None)
    return [f"{label}: {m}" for m in messages()] if callable(messages) else []
