"""Text of existing documents (PDF, DOCX, ODT) for document analysis: paragraphs, pages, metadata.

A territorial approach leans on documents already written — SCoT, PLUi, SRADDET, tourism plans, press.
:func:`extract` reads one file and returns its paragraphs in reading order, each with its page number
where the format has pages (PDF: the physical page, 1 = first; DOCX and ODT have no fixed pages: None),
and the metadata the file carries (title, author, year of creation). The paragraphs joined by blank
lines are :attr:`Document.text`, the text that is coded and searched; :meth:`Document.spans` gives
each paragraph's character span in it (for coded excerpts and REFI-QDA positions).

The type is recognised from the content, not the file name. Readers: pypdf (PDF, text in "layout"
mode so that the vertical gaps between paragraphs survive as blank lines), python-docx (DOCX: body
paragraphs and table cells in document order, with their style), odfpy (ODT: headings and paragraphs
in document order). Every failure is a :class:`~atout.engine.formats.errors.FormatError` naming the
file and the problem: encrypted PDF, PDF without a text layer (a scan: OCR is not available offline),
corrupt file, unknown type.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .formats.errors import FormatError

KINDS = ("pdf", "docx", "odt")
ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97–2003 and other old Office files
PARAGRAPH_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Paragraph:
    """A paragraph's text (whitespace collapsed), its page (PDF: 1-based physical page; None for DOCX
    and ODT) and its style name where the format has one (``"Heading 1"``, ``"Titre 1"``)."""

    text: str
    page: int | None = None
    style: str | None = None


@dataclass
class Document:
    """What :func:`extract` found. ``kind``: ``"pdf"``, ``"docx"`` or ``"odt"``; ``pages``: number of
    pages (PDF only); ``title``, ``author``, ``year``: from the file's metadata (None when absent);
    ``warnings``: what was read only in part (e.g. PDF pages without text)."""

    kind: str
    paragraphs: list[Paragraph]
    title: str | None = None
    author: str | None = None
    year: int | None = None
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The paragraphs joined by blank lines."""
        return PARAGRAPH_SEPARATOR.join(p.text for p in self.paragraphs)

    def spans(self) -> list[tuple[int, int]]:
        """Character span ``[start, end)`` of each paragraph in :attr:`text`."""
        spans, position = [], 0
        for paragraph in self.paragraphs:
            spans.append((position, position + len(paragraph.text)))
            position += len(paragraph.text) + len(PARAGRAPH_SEPARATOR)
        return spans


def detect_kind(data: bytes) -> str:
    """``"pdf"``, ``"docx"`` or ``"odt"`` from a file's content. Raises ValueError with what the
    content looks like otherwise."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(_OLE):
        raise ValueError("an old Microsoft Office file (e.g. Word 97–2003 .doc): save it as DOCX, ODT or PDF")
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip() if "mimetype" in names else ""
        except (zipfile.BadZipFile, OSError) as exc:
            raise ValueError(f"a damaged zip archive ({exc})") from None
        if "word/document.xml" in names:
            return "docx"
        if mimetype == ODT_MIMETYPE:
            return "odt"
        if mimetype.startswith("application/vnd.oasis.opendocument."):
            raise ValueError(f"an OpenDocument file that is not a text document ({mimetype})")
        raise ValueError("a zip archive that is neither a DOCX nor an ODT document")
    if not data:
        raise ValueError("an empty file")
    head = data[:8]
    raise ValueError(f"not a PDF, DOCX or ODT document (it starts with {head!r})")


def extract(path: str | Path) -> Document:
    """Read a PDF, DOCX or ODT file (type recognised from its content).

    Output: :class:`Document`. Raises :class:`FormatError` naming the file and the problem: no such
    file, unknown type, encrypted PDF, PDF with no text layer, corrupt file.
    """
    path = Path(path)
    if not path.is_file():
        raise FormatError("no such file", path=path)
    data = path.read_bytes()
    try:
        kind = detect_kind(data)
    except ValueError as exc:
        raise FormatError(f"unknown document type: {exc}", path=path) from None
    reader = {"pdf": _read_pdf, "docx": _read_docx, "odt": _read_odt}[kind]
    return reader(data, path)


def _clean(text: str) -> str:
    return " ".join(text.split())


def _year(value) -> int | None:
    if isinstance(value, dt.datetime | dt.date):
        return value.year
    match = re.search(r"(1[5-9]\d\d|2\d\d\d)", str(value or ""))
    return int(match.group(1)) if match else None


def _text_or_none(value) -> str | None:
    text = _clean(str(value)) if value is not None else ""
    return text or None


# ---------------------------------------------------------------------------------------------
# PDF


def _read_pdf(data: bytes, path: Path) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            _decrypt(reader, path)
        page_count = len(reader.pages)
    except FormatError:
        raise
    except (DependencyError, FileNotDecryptedError) as exc:
        raise FormatError(f"encrypted PDF that cannot be opened without its password ({exc})", path=path) from None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise FormatError(f"corrupt or unreadable PDF: {exc}", path=path) from None
    paragraphs: list[Paragraph] = []
    empty_pages: list[int] = []
    for number in range(1, page_count + 1):
        try:
            text = _page_text(reader.pages[number - 1])
        except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
            raise FormatError(f"corrupt or unreadable PDF: page {number}: {exc}", path=path) from None
        found = [Paragraph(t, number) for t in _pdf_paragraphs(text)]
        if not found:
            empty_pages.append(number)
        paragraphs += found
    if not paragraphs:
        raise FormatError("no text layer; OCR is not available offline "
                          "(a scanned PDF: ask for the original document or a PDF with text)", path=path)
    warnings = [f"page(s) {', '.join(map(str, empty_pages))} have no text layer (scanned images or blank): "
                "their content is missing"] if empty_pages else []
    title, author, year = _pdf_metadata(reader)
    return Document("pdf", paragraphs, title, author, year, page_count, warnings)


def _decrypt(reader, path: Path) -> None:
    # Many PDFs are "encrypted" only to restrict printing or copying, with an empty password to open.
    from pypdf.errors import DependencyError

    try:
        opened = reader.decrypt("")
    except DependencyError:
        raise FormatError("encrypted PDF (AES): opening it needs the 'cryptography' package, which is not "
                          "installed; ask for an unprotected copy", path=path) from None
    except NotImplementedError as exc:
        raise FormatError(f"encrypted PDF with an unsupported encryption ({exc})", path=path) from None
    if not opened:
        raise FormatError("encrypted PDF: it needs a password to be opened; ask for an unprotected copy", path=path)


def _page_text(page) -> str:
    try:
        # Layout mode keeps the vertical gaps between paragraphs as blank lines.
        return page.extract_text(extraction_mode="layout")
    except Exception:  # layout mode fails on some odd pages; the plain mode still reads them
        return page.extract_text() or ""


_LIST_ITEM = re.compile(r"^([•◦▪▫●○■□►‣–—*-]|\d{1,3}[.)]|[a-z][.)])\s")


def _pdf_paragraphs(text: str) -> list[str]:
    """Blocks separated by blank lines, each block's lines joined; a line that starts with a list
    marker (•, –, 1., a)…) starts a new paragraph. A line ending with a hyphen is joined without a
    space, the hyphen kept: it may be part of the word ("centres-bourgs")."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        current: list[str] = []
        for line in (line.strip() for line in block.splitlines()):
            if not line:
                continue
            if current and _LIST_ITEM.match(line):
                paragraphs.append(_joined(current))
                current = []
            current.append(line)
        if current:
            paragraphs.append(_joined(current))
    return [p for p in paragraphs if p]


def _joined(lines: list[str]) -> str:
    joined = lines[0]
    for line in lines[1:]:
        joined += line if joined.endswith("-") else " " + line
    return _clean(joined)


def _pdf_metadata(reader) -> tuple[str | None, str | None, int | None]:
    info = reader.metadata or {}
    title = _text_or_none(info.get("/Title"))
    author = _text_or_none(info.get("/Author"))
    year = None
    try:
        year = _year(info.creation_date) if info else None
    except (ValueError, TypeError):
        year = _year(info.get("/CreationDate"))
    if title is None or author is None:
        xmp_title, xmp_author = _xmp(reader)
        title, author = title or xmp_title, author or xmp_author
    return title, author, year


def _xmp(reader) -> tuple[str | None, str | None]:
    try:
        xmp = reader.xmp_metadata
    except Exception:  # broken XMP packets are common; the document info dictionary suffices
        return None, None
    if xmp is None:
        return None, None
    titles = xmp.dc_title or {}
    creators = xmp.dc_creator or []
    title = next(iter(titles.values()), None) if isinstance(titles, dict) else None
    return _text_or_none(title), _text_or_none(", ".join(creators)) if creators else None


# ---------------------------------------------------------------------------------------------
# DOCX


def _read_docx(data: bytes, path: Path) -> Document:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs = []
        for block in document.iter_inner_content():
            items = _table_paragraphs(block) if isinstance(block, Table) else [block]
            for paragraph in items:
                text = _clean(paragraph.text)
                if text:
                    style = paragraph.style.name if paragraph.style is not None else None
                    paragraphs.append(Paragraph(text, None, style))
        properties = document.core_properties
        title, author, created = properties.title, properties.author, properties.created
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, AttributeError, OSError) as exc:
        raise FormatError(f"corrupt or unreadable DOCX: {exc}", path=path) from None
    except Exception as exc:
        # lxml raises its own XMLSyntaxError for a damaged part.
        if type(exc).__name__ == "XMLSyntaxError":
            raise FormatError(f"corrupt or unreadable DOCX: {exc}", path=path) from None
        raise
    return Document("docx", paragraphs, _text_or_none(title), _text_or_none(author), _year(created))


def _table_paragraphs(table) -> Iterator:
    seen = set()  # the cells' XML elements, kept alive so that identity holds
    for row in table.rows:
        for cell in row.cells:
            if cell._tc in seen:  # a merged cell appears once per grid position
                continue
            seen.add(cell._tc)
            yield from cell.paragraphs


# ---------------------------------------------------------------------------------------------
# ODT


def _read_odt(data: bytes, path: Path) -> Document:
    from odf import dc, meta, teletype
    from odf.opendocument import load

    try:
        document = load(io.BytesIO(data))
        paragraphs = [
            Paragraph(_clean(teletype.extractText(element)), None, element.getAttribute("stylename") or None)
            for element in _odt_blocks(document.text)
        ]
        title = _odt_meta(document, dc.Title)
        author = _odt_meta(document, meta.InitialCreator) or _odt_meta(document, dc.Creator)
        year = _year(_odt_meta(document, meta.CreationDate) or _odt_meta(document, dc.Date))
    except (zipfile.BadZipFile, KeyError, ValueError, AttributeError, OSError) as exc:
        raise FormatError(f"corrupt or unreadable ODT: {exc}", path=path) from None
    except Exception as exc:
        # The XML parser's own errors (expat, SAX) for a damaged part.
        if type(exc).__name__ in ("ExpatError", "SAXParseException"):
            raise FormatError(f"corrupt or unreadable ODT: {exc}", path=path) from None
        raise
    return Document("odt", [p for p in paragraphs if p.text], title, author, year)


_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_ODT_BLOCKS = {(_TEXT_NS, "h"), (_TEXT_NS, "p")}
_ODT_NOTE = (_TEXT_NS, "note")


def _odt_blocks(node) -> Iterator:
    """Headings and paragraphs in document order, tables and lists included; notes inside a
    paragraph are not separate paragraphs."""
    for child in node.childNodes:
        if child.nodeType != child.ELEMENT_NODE:
            continue
        if child.qname in _ODT_BLOCKS:
            yield child
        elif child.qname != _ODT_NOTE:
            yield from _odt_blocks(child)


def _odt_meta(document, element_type) -> str | None:
    found = document.meta.getElementsByType(element_type)
    return _text_or_none(str(found[0])) if found else None


__all__ = ["KINDS", "Document", "Paragraph", "detect_kind", "extract"]
