"""Reports rendered from one set of Django templates, to HTML (a self-contained file: styles inline,
charts and maps as inline SVG) or to PDF with WeasyPrint (vector graphics, running headers and
footers, page numbers, table of contents). French typography is applied to the rendered text."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.translation import get_language

from . import content
from .models import Report
from .typography import french_html

TEMPLATES = {
    Report.Kind.DIAGNOSTIC: "reports/diagnostic.html",
    Report.Kind.FACTSHEET: "reports/factsheet.html",
    Report.Kind.MONITORING: "reports/monitoring.html",
    Report.Kind.SUMMARY: "reports/summary.html",
}


@dataclass
class Output:
    data: bytes
    format: str
    pages: int | None  # PDF only
    seconds: float


def gather(kind: str, process, territory=None, progress: content.Progress = content._noop) -> dict:
    if kind == Report.Kind.DIAGNOSTIC:
        return content.diagnostic(process, progress)
    if kind == Report.Kind.FACTSHEET:
        if territory is None:
            raise content.SubjectError("a fact sheet needs a sub-territory (EPCI or zone)")
        return content.factsheet(process, territory, progress)
    if kind == Report.Kind.MONITORING:
        return content.monitoring(process, progress)
    if kind == Report.Kind.SUMMARY:
        return content.summary(process, progress)
    raise ValueError(f"unknown report kind {kind!r}")


def render_html(kind: str, context: dict, *, fmt: str = "html") -> str:
    html = render_to_string(TEMPLATES[kind], {**context, "kind": kind, "format": fmt,
                                              "language": (get_language() or "fr")[:2]})
    return french_html(html) if (get_language() or "fr").startswith("fr") else html


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """PDF bytes and page count. Everything is inline, so no file or network is read."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=None).render()
    return document.write_pdf(), len(document.pages)


def build(kind: str, process, *, territory=None, fmt: str = "pdf",
          progress: content.Progress = content._noop) -> Output:
    """Gather, render and (for PDF) typeset one report; ``progress(percent, message)`` along the way."""
    if fmt not in ("pdf", "html"):
        raise ValueError(f"unknown format {fmt!r}: pdf or html")
    started = time.perf_counter()
    context = gather(kind, process, territory, progress)
    progress(80, "HTML")
    html = render_html(kind, context, fmt=fmt)
    if fmt == "html":
        return Output(html.encode("utf-8"), fmt, None, time.perf_counter() - started)
    progress(85, "PDF")
    data, pages = html_to_pdf(html)
    return Output(data, fmt, pages, time.perf_counter() - started)
