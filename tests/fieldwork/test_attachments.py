"""Attachments: the type comes from the content (magic bytes), never from the name; size is
limited; the stored file has a generated name under MEDIA_ROOT."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.urls import reverse

from atout.engine.formats.errors import FormatError
from atout.fieldwork import attachments
from atout.fieldwork.attachments import check_attachment, save_attachment, sniff

from .test_transcripts import make_docx, make_odt


def tiny_png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")


def test_types_are_recognised_from_the_content():
    assert sniff(tiny_png()) == "png"
    assert sniff(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00") == "jpeg"
    assert sniff(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n") == "pdf"
    assert sniff(make_docx(["Bonjour"])) == "docx"
    assert sniff(make_odt("Titre", ["Bonjour"])) == "odt"
    assert sniff("Compte rendu : l'été à Die.\n".encode()) == "text"
    assert sniff("Compte rendu : l'été à Die.\n".encode("cp1252")) == "text"


def test_other_content_is_refused_whatever_its_name():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("virus.exe", "MZ")
    for name, data in [("photo.png", b"MZ\x90\x00\x03\x00\x00\x00"), ("rapport.docx", out.getvalue()),
                       ("notes.txt", b"binary\x00\x01\x02"), ("image.jpg", b"GIF89a\x01\x00")]:
        with pytest.raises(FormatError, match="type not accepted") as error:
            check_attachment(name, data)
        assert name in str(error.value)


def test_the_size_is_limited(monkeypatch):
    monkeypatch.setattr(attachments, "MAX_ATTACHMENT_BYTES", 100)
    assert check_attachment("ok.txt", b"a" * 100) == "text"
    with pytest.raises(FormatError, match="file too large: 101 bytes, at most 100"):
        check_attachment("big.txt", b"a" * 101)
    with pytest.raises(FormatError, match="empty file"):
        check_attachment("empty.txt", b"")


def test_a_stored_attachment_gets_a_generated_name_never_the_uploaded_path(die_session, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = save_attachment(die_session, "../../etc/passwd.png", tiny_png())
    stored = Path(item.file.path)
    assert stored.is_file() and stored.read_bytes() == tiny_png()
    assert tmp_path in stored.parents
    assert "passwd" not in stored.name and stored.suffix == ".png"
    assert item.kind == "png" and item.label == "passwd.png" and item.size == len(tiny_png())


def test_the_upload_page_refuses_a_disguised_file_and_serves_a_good_one(client, users, die_session, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(users["facilitator"])
    url = reverse("fieldwork:attachment_upload", kwargs={"slug": die_session.process.slug, "session": die_session.pk})
    bad = client.post(url, {"file": SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 executable", content_type="image/jpeg")})
    assert bad.status_code == 400 and "photo.jpg : le contenu de ce fichier n&#x27;est pas du type attendu" in bad.content.decode()
    assert die_session.attachments.count() == 0
    good = client.post(url, {"file": SimpleUploadedFile("affiche.pdf", b"%PDF-1.4 test"), "label": "Affiche de la réunion"})
    assert good.status_code == 302
    item = die_session.attachments.get()
    assert (item.kind, item.label) == ("pdf", "Affiche de la réunion")
    response = client.get(reverse("fieldwork:attachment", kwargs={"slug": die_session.process.slug, "attachment": item.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
