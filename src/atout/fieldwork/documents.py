"""Document corpus: import an existing document (PDF, DOCX, ODT) with its text, search the corpus
without regard to accents or case, code passages like a transcript, and turn a coded passage into a
piece of evidence for the strategy.

The text is extracted by :func:`atout.engine.documents.extract` (paragraphs joined by blank lines);
the file is kept under a generated name. An import is all-or-nothing: a file that cannot be read (not
a PDF/DOCX/ODT, encrypted, a scan without text, empty) raises :class:`DocumentError` with a French
message naming the file, and nothing is written.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction

from atout.engine import documents as engine
from atout.engine.formats.errors import FormatError

from .coding import CodingError, _apply, _check_codes
from .models import Document, Excerpt
from .transcripts import segments

MAX_BYTES = 50 * 1024 * 1024
#: Paragraphs shown per document in search results.
SNIPPETS = 3

#: The engine's messages (English, for logs and the CLI) → what a French page says.
REASONS = [
    ("no such file", "fichier introuvable"),
    ("unknown document type: an old Microsoft Office",
     "ancien format Word (.doc) : enregistrez-le en DOCX, ODT ou PDF"),
    ("unknown document type: an empty file", "le fichier est vide"),
    ("unknown document type", "ce fichier n'est ni un PDF, ni un document Word (.docx), ni un OpenDocument (.odt)"),
    ("encrypted PDF", "PDF protégé par un mot de passe : demandez une copie non protégée"),
    ("no text layer", "PDF sans texte (document numérisé) : la reconnaissance de caractères n'est pas disponible, "
                      "demandez une version texte"),
    ("corrupt or unreadable", "fichier endommagé ou illisible"),
]


class DocumentError(ValueError):
    """A document that cannot be imported; ``message`` is French and names the file."""


def fold(text: str) -> str:
    """Lower case without accents: "Drôme" and "DROME" both read "drome"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def french_reason(exc: FormatError) -> str:
    message = exc.message if isinstance(exc, FormatError) else str(exc)
    for prefix, french in REASONS:
        if message.startswith(prefix):
            return french
    return message


def read(name: str, data: bytes) -> engine.Document:
    """The extracted document; raises DocumentError (French, naming the file) when unreadable."""
    shown = Path(name.replace("\\", "/")).name or "document"
    if len(data) > MAX_BYTES:
        raise DocumentError(f"« {shown} » : fichier trop volumineux ({len(data) // 1_000_000} Mo ; au plus "
                            f"{MAX_BYTES // 1_000_000} Mo)")
    with tempfile.TemporaryDirectory() as tmp:
        # The reader takes a path; the upload is written under a fixed name, its own name is only shown.
        path = Path(tmp) / "document"
        path.write_bytes(data)
        try:
            found = engine.extract(path)
        except FormatError as exc:
            raise DocumentError(f"« {shown} » : {french_reason(exc)}") from None
    if not found.text.strip():
        raise DocumentError(f"« {shown} » : le document ne contient aucun texte")
    return found


@transaction.atomic
def import_document(process, name: str, data: bytes, *, type: str = Document.Type.OTHER, title: str = "",
                    author: str = "", year: int | None = None, note: str = "", user=None,
                    simulated: bool = False) -> Document:
    """Import a document into ``process``'s corpus. Title, author and year default to the file's
    metadata (the file name for the title)."""
    if type not in Document.Type.values:
        raise DocumentError(f"type de document inconnu « {type} » : attendu {', '.join(Document.Type.values)}")
    if year is not None and not 1800 <= year <= 2100:
        raise DocumentError(f"année invalide : {year}")
    found = read(name, data)
    shown = Path(name.replace("\\", "/")).name
    document = Document(
        process=process, title=(title or found.title or Path(shown).stem or "Document")[:300],
        author=(author or found.author or "")[:200], year=year or found.year, type=type, kind=found.kind,
        file_name=shown[:200], size=len(data), pages=found.pages, text=found.text, search_text=fold(found.text),
        note=note, simulated=simulated, imported_by=user,
    )
    document.file.save(f"document.{found.kind}", ContentFile(data), save=False)
    document.save()
    return document


def search(process, query: str):
    """Documents whose title, author or text hold every word of ``query`` (accents and case ignored),
    each with up to SNIPPETS paragraphs holding the first word. Returns ``[(document, [paragraph])]``."""
    words = [w for w in re.split(r"\s+", fold(query).strip()) if w]
    documents = Document.objects.filter(process=process).defer("text")
    if not words:
        return [(d, []) for d in documents]
    found = []
    for document in documents.only("pk", "title", "author", "year", "type", "kind", "search_text", "simulated",
                                   "process"):
        haystack = fold(f"{document.title} {document.author}") + " " + document.search_text
        if all(w in haystack for w in words):
            found.append(document)
    out = []
    for document in Document.objects.filter(pk__in=[d.pk for d in found]):
        paragraphs = [p for p in document.text.split(engine.PARAGRAPH_SEPARATOR) if words[0] in fold(p)]
        out.append((document, paragraphs[:SNIPPETS]))
    return out


# --------------------------------------------------------------------------- coding


@transaction.atomic
def code_range(document: Document, start: int, end: int, codes, *, user=None) -> Excerpt:
    """An excerpt of ``document.text[start:end]`` (character offsets, end excluded) with codes."""
    if not 0 <= start < end <= len(document.text):
        raise CodingError(f"range {start}–{end} is outside the document (0–{len(document.text)})")
    codes = _check_codes(document.process, codes)
    text = document.text[start:end].strip()
    if not text:
        raise CodingError("the selected range holds no text")
    # As for transcripts, a passage already selected is the same excerpt (see coding.code_transcript_range).
    excerpt = Excerpt.objects.filter(document=document, start=start, end=end).order_by("pk").first()
    if excerpt is None:
        excerpt = Excerpt.objects.create(process=document.process, document=document, start=start, end=end,
                                         text=text, created_by=user)
    _apply(excerpt, codes, user)
    return excerpt


def code_passages(document: Document, numbers, codes, *, user=None) -> Excerpt:
    """An excerpt spanning the chosen numbered passages (first to last, inclusive)."""
    numbers = sorted({int(n) for n in numbers})
    if not numbers:
        raise CodingError("select at least one passage")
    by_number = {s.number: s for s in segments(document.text)}
    unknown = [n for n in numbers if n not in by_number]
    if unknown:
        raise CodingError(f"no passage numbered {unknown[0]}")
    return code_range(document, by_number[numbers[0]].start, by_number[numbers[-1]].end, codes, user=user)


def page_of(document: Document, offset: int) -> int | None:
    """The PDF page an offset of the text falls on (None for DOCX/ODT, which have no fixed pages).
    Pages are counted again from the file, so that nothing but the text need be stored."""
    if document.kind != Document.Kind.PDF or not document.file:
        return None
    try:
        with document.file.open("rb") as handle:
            found = read("document.pdf", handle.read())
    except (DocumentError, OSError):
        return None
    for paragraph, (start, end) in zip(found.paragraphs, found.spans(), strict=True):
        if start <= offset < end + len(engine.PARAGRAPH_SEPARATOR):
            return paragraph.page
    return None
