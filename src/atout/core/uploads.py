"""Checks on uploaded files: the type is read from the content (never trusted from the name or the
browser), the size is capped, and archives are inspected before anyone opens them.

Every upload form of the site uses :class:`UploadField` with the kinds it accepts. A refused file gets a
message naming the file and the problem ("budget.xlsx: this is not an XLSX spreadsheet…"); nothing is
read further. Archives (ZIP-based files: XLSX, DOCX, ODT and plain .zip) are refused when a member's
name is absolute or climbs out of the archive (``../``), when they hold too many members, or when they
would expand beyond a bound (a "zip bomb").
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterable
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

#: What each kind is called in messages.
KIND_NAMES = {
    "csv": "CSV", "text": _("texte"), "json": "JSON", "yaml": "YAML", "xlsx": "XLSX", "docx": "DOCX", "odt": "ODT",
    "zip": "ZIP", "png": "PNG", "jpeg": "JPEG", "pdf": "PDF",
}
TEXT_KINDS = {"csv", "text", "json", "yaml"}
ARCHIVE_MAX_MEMBERS = 2000
ARCHIVE_MAX_EXPANDED = 500 * 1024 * 1024
ARCHIVE_MAX_RATIO = 200  # expanded / compressed: ordinary office files stay far below
#: Largest image accepted, in pixels: a 48-megapixel phone photo passes; a file declaring 60000 × 60000
#: pixels (a "decompression bomb": a few kilobytes that decode into gigabytes) does not.
IMAGE_MAX_PIXELS = 60_000_000
IMAGE_KINDS = {"png": "PNG", "jpeg": "JPEG"}


def max_upload_bytes() -> int:
    return int(getattr(settings, "ATOUT_MAX_UPLOAD_MB", 20)) * 1024 * 1024


def _zip_kind(upload) -> tuple[str | None, str | None]:
    """(kind, problem) of a ZIP-based file, after checking its members."""
    try:
        upload.seek(0)
        archive = zipfile.ZipFile(upload)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None, str(_("archive ZIP illisible"))
    if len(members) > ARCHIVE_MAX_MEMBERS:
        return None, str(_("l'archive contient trop de fichiers (%(n)s)")) % {"n": len(members)}
    expanded = sum(m.file_size for m in members)
    compressed = sum(m.compress_size for m in members) or 1
    if expanded > ARCHIVE_MAX_EXPANDED or expanded / compressed > ARCHIVE_MAX_RATIO and expanded > 10 * 1024 * 1024:
        return None, str(_("l'archive se décompresserait en un volume anormal"))
    for member in members:
        path = PurePosixPath(member.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or ":" in member.filename:
            return None, str(_("nom de fichier dangereux dans l'archive : %(name)s")) % {"name": member.filename[:100]}
    names = {m.filename for m in members}
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        return "xlsx", None
    if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
        return "docx", None
    if "mimetype" in names and archive.read("mimetype")[:60] == b"application/vnd.oasis.opendocument.text":
        return "odt", None
    return "zip", None


def _text_kinds(head: bytes) -> set[str]:
    if b"\x00" in head:
        return set()
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not merely a character cut at the end of the sample
            try:
                text = head.decode("cp1252")
            except UnicodeDecodeError:
                return set()
        else:
            text = head[: exc.start].decode("utf-8-sig", errors="ignore")
    kinds = {"csv", "text", "yaml"}
    if text.lstrip()[:1] in {"{", "["}:
        kinds.add("json")
    return kinds


def detect(upload) -> tuple[set[str], str | None]:
    """The kinds the content is compatible with, and the problem found in an archive (if any)."""
    upload.seek(0)
    head = upload.read(64 * 1024)
    upload.seek(0)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        kind, problem = _zip_kind(upload)
        upload.seek(0)
        return ({kind} if kind else set()), problem
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return {"png"}, None
    if head.startswith(b"\xff\xd8\xff"):
        return {"jpeg"}, None
    if head.startswith(b"%PDF-"):
        return {"pdf"}, None
    return _text_kinds(head), None


def check_upload(upload, kinds: Iterable[str], *, max_bytes: int | None = None) -> str:
    """The kind of ``upload`` among ``kinds``; a ValidationError naming the file and the problem otherwise."""
    kinds = list(kinds)
    name = getattr(upload, "name", "") or str(_("fichier"))
    limit = max_bytes or max_upload_bytes()
    if upload.size > limit:
        raise forms.ValidationError(
            _("%(name)s : fichier trop lourd (%(size)s Mo ; %(limit)s Mo au plus)."),
            params={"name": name, "size": round(upload.size / 1048576, 1), "limit": round(limit / 1048576)},
            code="too_large")
    if upload.size == 0:
        raise forms.ValidationError(_("%(name)s : le fichier est vide."), params={"name": name}, code="empty")
    found, problem = detect(upload)
    if problem:
        raise forms.ValidationError(_("%(name)s : %(problem)s."), params={"name": name, "problem": problem},
                                    code="unsafe_archive")
    for kind in kinds:
        if kind in found:
            if kind in IMAGE_KINDS:
                check_image(upload, kind, name)
            return kind
    expected = ", ".join(str(KIND_NAMES[k]) for k in kinds)
    raise forms.ValidationError(
        _("%(name)s : le contenu de ce fichier n'est pas du type attendu (%(expected)s)."),
        params={"name": name, "expected": expected}, code="wrong_type")


def check_image(upload, kind: str, name: str) -> tuple[int, int]:
    """(width, height) of a PNG or JPEG upload; a ValidationError if Pillow cannot read it as ``kind``
    or it declares more than :data:`IMAGE_MAX_PIXELS`. Only the header is read: nothing is decoded."""
    from PIL import JpegImagePlugin, PngImagePlugin

    # The format's own reader, not Image.open: Image.open refuses a bomb before saying its size.
    reader = {"png": PngImagePlugin.PngImageFile, "jpeg": JpegImagePlugin.JpegImageFile}[kind]
    upload.seek(0)
    try:
        with reader(upload) as image:
            width, height = image.size
            actual = (image.format or "").lower()
            if width * height <= IMAGE_MAX_PIXELS:
                image.verify()  # chunk checksums (PNG), structure; still no decoding
    except (OSError, SyntaxError, ValueError, TypeError, struct.error):
        actual, width, height = None, 0, 0
    finally:
        upload.seek(0)
    if actual != kind:
        raise forms.ValidationError(_("%(name)s : image %(kind)s illisible."),
                                    params={"name": name, "kind": IMAGE_KINDS[kind]}, code="bad_image")
    if width * height > IMAGE_MAX_PIXELS:
        raise forms.ValidationError(
            _("%(name)s : image trop grande (%(width)s × %(height)s pixels ; %(max)s millions de pixels au plus). "
              "Réduisez-la avant de l'envoyer."),
            params={"name": name, "width": width, "height": height, "max": IMAGE_MAX_PIXELS // 1_000_000},
            code="too_many_pixels")
    return width, height


class UploadField(forms.FileField):
    """A file field accepting only ``kinds`` (by content) up to ``max_bytes`` (default: the site limit)."""

    def __init__(self, *args, kinds: Iterable[str], max_bytes: int | None = None, **kwargs):
        self.kinds = list(kinds)
        self.max_bytes = max_bytes
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and hasattr(upload, "size") and upload is not initial:
            upload.detected_kind = check_upload(upload, self.kinds, max_bytes=self.max_bytes)
        return upload
