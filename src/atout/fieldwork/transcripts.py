"""Transcripts: read an uploaded .txt, .md, .docx or .odt into plain text, and cut text into
numbered paragraphs and sentences with their character offsets (what the coding workspace shows).

Readers raise :class:`~atout.engine.formats.errors.FormatError` naming the file (and the paragraph
when a document is malformed). ``.docx`` is read with python-docx, ``.odt`` with odfpy.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from atout.engine.formats.errors import FormatError

EXTENSIONS = (".txt", ".md", ".docx", ".odt")
#: A transcript longer than this (characters) is surely not one session's minutes.
MAX_CHARACTERS = 2_000_000
MAX_BYTES = 20 * 1024 * 1024


@dataclass
class Transcript:
    """Plain text of an uploaded transcript; ``note`` says how it was read when that matters."""

    text: str
    note: str = ""


def read_transcript(name: str, data: bytes) -> Transcript:
    """Text of an uploaded transcript; ``name`` (the uploaded file name) gives its format.

    Raises FormatError for an unknown extension, a file too large, a bad document or empty text.
    """
    lower = name.lower()
    extension = next((e for e in EXTENSIONS if lower.endswith(e)), None)
    if extension is None:
        raise FormatError(f"unsupported transcript format: expected one of {', '.join(EXTENSIONS)}", path=name)
    if len(data) > MAX_BYTES:
        raise FormatError(f"file too large ({len(data)} bytes; at most {MAX_BYTES})", path=name)
    if extension in (".txt", ".md"):
        result = read_plain(name, data)
    elif extension == ".docx":
        result = Transcript(read_docx(name, data))
    else:
        result = Transcript(read_odt(name, data))
    text = normalise(result.text)
    if not text.strip():
        raise FormatError("the transcript holds no text", path=name)
    if len(text) > MAX_CHARACTERS:
        raise FormatError(f"transcript too long ({len(text)} characters; at most {MAX_CHARACTERS})", path=name)
    return Transcript(text, result.note)


def read_plain(name: str, data: bytes) -> Transcript:
    """UTF-8 (with or without BOM) first; cp1252 — Windows' Western encoding — as the fallback,
    with a note, because French minutes typed on Windows often come that way."""
    try:
        return Transcript(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data[: utf8_error.start].count(b"\n") + 1
        raise FormatError(f"neither UTF-8 nor Windows-1252 text (byte 0x{data[exc.start]:02x})", path=name,
                          line=line) from None
    line = data[: utf8_error.start].count(b"\n") + 1
    return Transcript(text, f"not UTF-8 (first at line {line}): read as Windows-1252 (cp1252)")


def _zip(name: str, data: bytes, member: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FormatError("not a valid document: the file is not a zip package", path=name) from None
    if member not in archive.namelist():
        raise FormatError(f"not a valid document: {member} is missing", path=name)
    return archive


def read_docx(name: str, data: bytes) -> str:
    """Paragraphs (and table cells, row by row) of a Word document, one per line."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _zip(name, data, "word/document.xml")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise FormatError(f"not a valid Word document ({exc})", path=name) from None
    except Exception as exc:  # lxml raises its own XMLSyntaxError for a corrupt part
        raise FormatError(f"unreadable Word document ({type(exc).__name__}: {exc})", path=name) from None
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n\n".join(line for line in lines if line.strip())


def read_odt(name: str, data: bytes) -> str:
    """Headings and paragraphs of an OpenDocument text, in document order."""
    from odf import teletype
    from odf.opendocument import load
    from odf.text import H, P

    _zip(name, data, "content.xml")
    try:
        document = load(io.BytesIO(data))
    except Exception as exc:  # odfpy surfaces XML and zip errors under many types
        raise FormatError(f"unreadable OpenDocument text ({type(exc).__name__}: {exc})", path=name) from None
    lines = []
    for element in document.text.getElementsByType(P) + document.text.getElementsByType(H):
        lines.append((_position(element), teletype.extractText(element)))
    lines.sort(key=lambda item: item[0])
    return "\n\n".join(text for _, text in lines if text.strip())


def _position(element) -> tuple:
    """Document order of an ODF element: indexes of it and its ancestors among their siblings."""
    path = []
    node = element
    while node.parentNode is not None:
        path.append(node.parentNode.childNodes.index(node))
        node = node.parentNode
    return tuple(reversed(path))


def normalise(text: str) -> str:
    """Unix line ends, no trailing spaces, at most one blank line between paragraphs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


@dataclass(frozen=True)
class Segment:
    """A numbered piece of a transcript: ``start``/``end`` are character offsets (end excluded)."""

    number: int
    paragraph: int
    start: int
    end: int
    text: str


_PARAGRAPH = re.compile(r"[^\n]+(?:\n[^\n]+)*")
# A sentence ends with . ! ? or … followed by a space and an upper-case letter, a quote or a dash.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"\-–—A-ZÀÂÉÈÊÎÔÛÇ])")


def paragraphs(text: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of each paragraph: blocks of non-empty lines."""
    return [(m.start(), m.end(), m.group()) for m in _PARAGRAPH.finditer(text)]


def segments(text: str) -> list[Segment]:
    """Sentences of each paragraph, numbered from 1 across the transcript."""
    out: list[Segment] = []
    for p_index, (p_start, _p_end, p_text) in enumerate(paragraphs(text)):
        cursor = 0
        for match in list(_SENTENCE_END.finditer(p_text)) + [None]:
            stop = match.start() if match else len(p_text)
            piece = p_text[cursor:stop]
            if piece.strip():
                lead = len(piece) - len(piece.lstrip())
                start = p_start + cursor + lead
                end = p_start + cursor + len(piece.rstrip())
                out.append(Segment(len(out) + 1, p_index, start, end, text[start:end]))
            cursor = match.end() if match else len(p_text)
    return out


def speaker_of(paragraph_text: str) -> str | None:
    """The speaker label opening a paragraph (``Animatrice :``, ``[Jeune 2]``), if any."""
    match = re.match(r"^\s*\[([^\]]{1,40})\]|^\s*([^:\n]{1,40})\s:\s", paragraph_text)
    if not match:
        return None
    return (match.group(1) or match.group(2)).strip()
