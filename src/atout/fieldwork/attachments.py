"""Attachments: the type of an uploaded file is decided by its content (magic bytes), never by its
name or the browser's claim, and its size is limited. Stored under MEDIA_ROOT with a generated name.
"""

from __future__ import annotations

import io
import zipfile

from django.core.files.base import ContentFile

from atout.engine.formats.errors import FormatError

#: Largest attachment accepted, in bytes (a phone photo or a scanned report fits).
MAX_ATTACHMENT_BYTES = 15 * 1024 * 1024

_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
#: Control bytes that plain text never holds (tab, line feed, form feed, carriage return allowed).
_CONTROL = frozenset(set(range(0, 9)) | {11} | set(range(14, 32)) | {127})


def sniff(data: bytes) -> str | None:
    """``png``, ``jpeg``, ``pdf``, ``docx``, ``odt`` or ``text`` from the first bytes; None otherwise.

    Zip packages are opened to tell a Word document (``word/document.xml``) from an OpenDocument
    text (its first member ``mimetype`` holds the ODT media type); any other zip is refused.
    Text is UTF-8 or Windows-1252 without control characters other than tab and line ends.
    """
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return "text" if _is_text(data) else None


def _zip_kind(data: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return "docx"
        if names and names[0] == "mimetype" and archive.read("mimetype").strip() == _ODT_MIMETYPE:
            return "odt"
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    return None


def _is_text(data: bytes) -> bool:
    if not data:
        return False
    sample = data[:65536]
    if any(b in _CONTROL for b in sample):
        return False
    for encoding in ("utf-8", "cp1252"):
        try:
            sample.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            # A sample cut in the middle of a UTF-8 character is still UTF-8.
            if encoding == "utf-8" and exc.start >= len(sample) - 3 and len(data) > len(sample):
                return True
    return False


def check_attachment(name: str, data: bytes) -> str:
    """The attachment's kind, or a FormatError naming the file when too large or of a refused type."""
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise FormatError(f"file too large: {len(data)} bytes, at most {MAX_ATTACHMENT_BYTES}", path=name)
    if not data:
        raise FormatError("empty file", path=name)
    kind = sniff(data)
    if kind is None:
        raise FormatError("type not accepted: expected a PNG or JPEG image, a PDF, a .docx or .odt document, "
                          "or plain text (checked from the file's content)", path=name)
    return kind


def save_attachment(session, name: str, data: bytes, *, user=None, label: str = ""):
    """Store an attachment after checking it; the stored name is generated, the label is for people."""
    from .models import Attachment

    kind = check_attachment(name, data)
    # Only the base name is kept, as a label: an uploaded path never reaches the file system.
    base = name.replace("\\", "/").rsplit("/", 1)[-1][:200]
    attachment = Attachment(session=session, kind=kind, label=(label or base)[:200], size=len(data), uploaded_by=user)
    attachment.file.save("upload", ContentFile(data), save=True)
    return attachment
