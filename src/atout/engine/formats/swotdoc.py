"""The SWOT board as a word-processing document a team can edit and send: DOCX (python-docx) or ODT (odfpy).

Pure Python (no Django): the caller builds a :class:`SwotDocument` (the four quadrants, their items, the places
each holds for and the evidence behind it, in words) and gets the file's bytes. Both formats hold the same
content: a title, a subtitle, then one heading per quadrant with its items as a list, each followed by its
evidence (title, figure, source and vintage).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

FORMATS = ("docx", "odt")
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
}


@dataclass
class SwotEntry:
    title: str
    places: list[str] = field(default_factory=list)
    description: str = ""
    evidence: list[str] = field(default_factory=list)  # one sentence per piece of evidence


@dataclass
class SwotQuadrant:
    label: str
    entries: list[SwotEntry] = field(default_factory=list)


@dataclass
class SwotDocument:
    title: str
    subtitle: str
    quadrants: list[SwotQuadrant]
    empty: str = "Aucun élément retenu."
    places_label: str = "Territoires"
    evidence_label: str = "Preuves"

    def items(self) -> int:
        return sum(len(q.entries) for q in self.quadrants)


def write(document: SwotDocument, fmt: str) -> bytes:
    if fmt == "docx":
        return write_docx(document)
    if fmt == "odt":
        return write_odt(document)
    raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")


def write_docx(document: SwotDocument) -> bytes:
    from docx import Document

    doc = Document()
    doc.core_properties.title = document.title
    doc.core_properties.language = "fr-FR"
    doc.add_heading(document.title, level=0)
    doc.add_paragraph(document.subtitle)
    for quadrant in document.quadrants:
        doc.add_heading(quadrant.label, level=1)
        if not quadrant.entries:
            doc.add_paragraph(document.empty)
        for entry in quadrant.entries:
            doc.add_paragraph(style="List Bullet").add_run(entry.title).bold = True
            if entry.places:
                doc.add_paragraph(f"{document.places_label} : {', '.join(entry.places)}")
            if entry.description:
                doc.add_paragraph(entry.description)
            for line in entry.evidence:
                doc.add_paragraph(f"{document.evidence_label} : {line}", style="List Bullet 2")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def write_odt(document: SwotDocument) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.style import ParagraphProperties, Style, TextProperties
    from odf.text import H, List, ListItem, P, Span

    doc = OpenDocumentText()
    title_style = Style(name="Titre", family="paragraph")
    title_style.addElement(TextProperties(fontsize="20pt", fontweight="bold"))
    heading_style = Style(name="Quadrant", family="paragraph")
    heading_style.addElement(TextProperties(fontsize="15pt", fontweight="bold"))
    heading_style.addElement(ParagraphProperties(margintop="0.4cm", marginbottom="0.2cm"))
    bold = Style(name="Gras", family="text")
    bold.addElement(TextProperties(fontweight="bold"))
    muted = Style(name="Preuve", family="paragraph")
    muted.addElement(TextProperties(fontsize="9pt", color="#444444"))
    for style in (title_style, heading_style, bold, muted):
        doc.styles.addElement(style)
    doc.meta.addElement(_meta_title(document.title))
    doc.text.addElement(H(outlinelevel=1, stylename=title_style, text=document.title))
    doc.text.addElement(P(text=document.subtitle))
    for quadrant in document.quadrants:
        doc.text.addElement(H(outlinelevel=2, stylename=heading_style, text=quadrant.label))
        if not quadrant.entries:
            doc.text.addElement(P(text=document.empty))
            continue
        listing = List()
        for entry in quadrant.entries:
            item = ListItem()
            head = P()
            head.addElement(Span(stylename=bold, text=entry.title))
            item.addElement(head)
            if entry.places:
                item.addElement(P(text=f"{document.places_label} : {', '.join(entry.places)}"))
            if entry.description:
                item.addElement(P(text=entry.description))
            for line in entry.evidence:
                item.addElement(P(stylename=muted, text=f"{document.evidence_label} : {line}"))
            listing.addElement(item)
        doc.text.addElement(listing)
    out = io.BytesIO()
    doc.write(out)
    return out.getvalue()


def _meta_title(title: str):
    from odf.dc import Title

    return Title(text=title)
