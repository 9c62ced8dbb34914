"""Exports of the codebook and coded excerpts: CSV, and the REFI-QDA codebook exchange format.

REFI-QDA (www.qdasoftware.org) is the open standard that ATLAS.ti, MAXQDA, NVivo, QDA Miner,
Quirkos and others import. A codebook file (``.qdc``) is XML in the namespace
``urn:QDA-XML:codebook:1.0`` (constants shared with the project export,
:mod:`atout.engine.formats.refiqda`)::

    <CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="atout">
      <Codes>
        <Code guid="…" name="…" isCodable="true" color="#RRGGBB">
          <Description>definition</Description>
          <Code …>child codes nest inside their parent</Code>
        </Code>
      </Codes>
      <Sets><Set guid="…" name="AFOM : Force"><MemberCode targetGUID="…"/></Set></Sets>
    </CodeBook>

SWOT categories and API axes, which the standard has no field for, travel as code *sets*.
In the CSV exports, text that a spreadsheet would run as a formula (an excerpt starting with
``=``, ``+``, ``-`` or ``@``) gets a leading apostrophe (:mod:`atout.engine.formats.cells`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
import xml.etree.ElementTree as ET

from atout.engine.formats.cells import safe_row
from atout.engine.formats.refiqda import CODEBOOK_NAMESPACE as QDC_NAMESPACE

from .coding import code_tree, codebook_for, excerpt_codes
from .models import Code, Excerpt

CODEBOOK_COLUMNS = ["id", "parent_id", "path", "name", "definition", "swot", "axis", "excerpts"]
EXCERPT_COLUMNS = ["excerpt_id", "codes", "text", "source", "session", "session_kind", "session_date",
                   "start", "end", "contribution_platform", "contribution_id", "speaker_category", "subterritory",
                   "document", "document_type", "document_year"]


def codebook_csv(process) -> str:
    """One row per code, in tree order; ``excerpts`` counts the coded excerpts."""
    counts: dict[int, int] = {}
    for code_ids in excerpt_codes(process).values():
        for code_id in code_ids:
            counts[code_id] = counts.get(code_id, 0) + 1
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CODEBOOK_COLUMNS)
    for _depth, code in code_tree(codebook_for(process)):
        writer.writerow(safe_row([code.pk, code.parent_id or "", code.path(), code.name, code.definition, code.swot,
                                  code.axis.code if code.axis_id else "", counts.get(code.pk, 0)]))
    return out.getvalue()


def excerpts_csv(process) -> str:
    """One row per coded excerpt; ``codes`` joins code paths with `` | ``. No names, ever."""
    codes = {c.pk: c for c in Code.objects.filter(codebook__process=process).select_related("parent")}
    applied = excerpt_codes(process)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXCERPT_COLUMNS)
    excerpts = (Excerpt.objects.filter(process=process, pk__in=list(applied))
                .select_related("session", "document", "contribution", "contribution__batch", "subterritory").order_by("pk"))
    for e in excerpts:
        writer.writerow(safe_row([
            e.pk, " | ".join(sorted(codes[c].path() for c in applied[e.pk])), e.text, e.source_kind,
            e.session.title if e.session_id else "", e.session.kind if e.session_id else "",
            e.session.date.isoformat() if e.session_id else "", "" if e.start is None else e.start,
            "" if e.end is None else e.end, e.contribution.platform if e.contribution_id else "",
            e.contribution.external_id if e.contribution_id else "", e.speaker_category,
            e.subterritory.name if e.subterritory_id else "",
            e.document.title if e.document_id else "", e.document.type if e.document_id else "",
            (e.document.year or "") if e.document_id else "",
        ]))
    return out.getvalue()


def _colour(code: Code) -> str:
    """A stable colour per code (REFI-QDA tools show it): from its axis when tagged, else hashed."""
    axis_colours = {"attractivite": "#1f77b4", "proximite": "#2ca02c", "inventivite": "#9467bd"}
    if code.axis_id and code.axis.code in axis_colours:
        return axis_colours[code.axis.code]
    return "#" + hashlib.sha1(str(code.guid).encode()).hexdigest()[:6].upper()


def _set_guid(process, name: str) -> str:
    # Stable across exports so a re-import updates the same set in the QDA tool.
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"atout:{process.slug}:set:{name}"))


def codebook_qdc(process) -> bytes:
    """The codebook as a REFI-QDA ``.qdc`` document (UTF-8 XML)."""
    ET.register_namespace("", QDC_NAMESPACE)
    q = f"{{{QDC_NAMESPACE}}}"
    root = ET.Element(q + "CodeBook", {"origin": "atout"})
    codes_el = ET.SubElement(root, q + "Codes")
    elements: dict[int, ET.Element] = {}
    tree = code_tree(codebook_for(process))
    for _depth, code in tree:
        parent = elements.get(code.parent_id, codes_el)
        element = ET.SubElement(parent, q + "Code", {"guid": str(code.guid), "name": code.name,
                                                     "isCodable": "true", "color": _colour(code)})
        if code.definition:
            ET.SubElement(element, q + "Description").text = code.definition
        elements[code.pk] = element
    groups: dict[str, list[Code]] = {}
    for _depth, code in tree:
        if code.swot:
            groups.setdefault(f"AFOM : {code.get_swot_display()}", []).append(code)
        if code.axis_id:
            groups.setdefault(f"Axe : {code.axis.name_fr}", []).append(code)
    if groups:
        sets_el = ET.SubElement(root, q + "Sets")
        for name, members in groups.items():
            set_el = ET.SubElement(sets_el, q + "Set", {"guid": _set_guid(process, name), "name": name})
            for code in members:
                ET.SubElement(set_el, q + "MemberCode", {"targetGUID": str(code.guid)})
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)
