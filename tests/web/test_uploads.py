"""Upload checks: type by content, size limit, dangerous archives — on real files of each format."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from atout.core.uploads import check_upload


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["id", "title"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Compte rendu de l'atelier de Die.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def odt_bytes() -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    document = OpenDocumentText()
    document.text.addElement(P(text="Atelier de Nyons"))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(("name", "make", "kinds", "expected"), [
    ("plan.xlsx", xlsx_bytes, ["xlsx", "csv"], "xlsx"),
    ("plan.csv", lambda: "id;title\nA1;Accueil\n".encode("cp1252"), ["xlsx", "csv"], "csv"),
    ("cr.docx", docx_bytes, ["text", "docx", "odt"], "docx"),
    ("cr.odt", odt_bytes, ["text", "docx", "odt"], "odt"),
    ("cr.md", lambda: "# Atelier\n\nÉchanges nourris.".encode(), ["text", "docx", "odt"], "text"),
    ("photo.png", png_bytes, ["png", "jpeg", "pdf"], "png"),
    ("ptod.json", lambda: b'\xef\xbb\xbf  {"data": []}', ["csv", "xlsx", "json"], "csv"),
    ("polis.zip", lambda: zip_bytes({"comments.csv": b"a,b\n"}), ["zip"], "zip"),
])
def test_real_files_are_recognised_by_their_content(name, make, kinds, expected):
    assert check_upload(upload(name, make()), kinds) == expected


def test_json_is_recognised_when_json_is_what_is_asked():
    assert check_upload(upload("ptod.json", b'[{"code": "26"}]'), ["json"]) == "json"


@pytest.mark.parametrize(("name", "content", "kinds", "message"), [
    ("plan.xlsx", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00", ["xlsx", "csv"], "n'est pas du type attendu (XLSX, CSV)"),
    ("plan.xlsx", b"id,title\n", ["xlsx"], "n'est pas du type attendu (XLSX)"),
    ("photo.png", b"%PDF-1.7\n", ["png", "jpeg"], "n'est pas du type attendu (PNG, JPEG)"),
    ("vide.csv", b"", ["csv"], "le fichier est vide"),
    ("polis.zip", b"PK\x03\x04 broken", ["zip"], "archive ZIP illisible"),
])
def test_files_of_the_wrong_kind_are_refused_naming_the_file(name, content, kinds, message):
    with pytest.raises(forms.ValidationError) as refused:
        check_upload(upload(name, content), kinds)
    text = " ".join(refused.value.messages)
    assert name in text and message in text


@pytest.mark.parametrize("member", ["../../etc/cron.d/atout", "/etc/passwd", "dossier/../../sortie.csv", "C:\\Windows\\x.csv"])
def test_archives_with_dangerous_member_names_are_refused(member):
    archive = upload("polis.zip", zip_bytes({"comments.csv": b"a\n", member: b"x"}))
    with pytest.raises(forms.ValidationError) as refused:
        check_upload(archive, ["zip"])
    assert "nom de fichier dangereux dans l'archive" in refused.value.messages[0]


def test_an_archive_that_would_expand_enormously_is_refused():
    bomb = upload("polis.zip", zip_bytes({"votes.csv": b"0" * (30 * 1024 * 1024)}))
    assert bomb.size < 100 * 1024
    with pytest.raises(forms.ValidationError) as refused:
        check_upload(bomb, ["zip"])
    assert "volume anormal" in refused.value.messages[0]


def test_the_size_limit_names_the_size(settings):
    settings.ATOUT_MAX_UPLOAD_MB = 1
    with pytest.raises(forms.ValidationError) as refused:
        check_upload(upload("gros.csv", b"a;b\n" * 300_000), ["csv"])
    assert "gros.csv : fichier trop lourd (1,1 Mo ; 1 Mo au plus)." in refused.value.messages[0].replace("1.1", "1,1")


def test_the_action_plan_import_page_refuses_a_disguised_file(client, users, blank_drome):
    client.force_login(users["team"])
    response = client.post(reverse("actions:import", kwargs={"slug": "drome"}),
                           {"spreadsheet": upload("plan.xlsx", b"MZ\x90\x00 not a spreadsheet")})
    assert response.status_code == 400
    assert "plan.xlsx : le contenu de ce fichier n&#x27;est pas du type attendu" in response.content.decode()


def test_the_polis_import_page_refuses_an_archive_climbing_out(client, users, drome):
    client.force_login(users["team"])
    archive = upload("export.zip", zip_bytes({"comments.csv": b"a\n", "../../settings.py": b"x"}))
    response = client.post(reverse("opinion:import", kwargs={"slug": "drome"}), {"slug": "evadee", "archive": archive})
    assert response.status_code == 400
    assert "nom de fichier dangereux dans l&#x27;archive : ../../settings.py" in response.content.decode()


# ------------------------------------------------------------------------------------------- images

def png_declaring(width: int, height: int) -> bytes:
    """A small file whose header declares ``width`` × ``height`` pixels (a decompression bomb would then
    inflate its few compressed bytes into gigabytes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * (3 * width + 1) * 4)) + chunk(b"IEND", b""))


def jpeg_declaring(width: int, height: int) -> bytes:
    """A real 8×8 JPEG (Pillow) whose frame header is rewritten to declare ``width`` × ``height``."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (230, 159, 0)).save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")  # baseline frame: length (2), precision (1), height (2), width (2)
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.mark.parametrize(("name", "make"), [("bombe.png", png_declaring), ("bombe.jpg", jpeg_declaring)])
def test_an_image_declaring_too_many_pixels_is_refused(name, make):
    bomb = upload(name, make(60000, 60000))
    assert bomb.size < 1024 * 1024
    with pytest.raises(forms.ValidationError) as refused:
        check_upload(bomb, ["png", "jpeg"])
    text = refused.value.messages[0].replace("\u202f", " ").replace("\xa0", " ")
    assert name in text and "image trop grande (60000 × 60000 pixels" in text and "60 millions de pixels au plus" in text


def test_images_within_the_pixel_limit_are_accepted():
    assert check_upload(upload("photo.png", png_declaring(8000, 6000)), ["png", "jpeg"]) == "png"
    assert check_upload(upload("photo.jpg", jpeg_declaring(8000, 6000)), ["png", "jpeg"]) == "jpeg"


def test_a_file_with_an_image_signature_but_no_image_is_refused():
    with pytest.raises(forms.ValidationError) as refused:
        check_upload(upload("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), ["png", "jpeg"])
    assert "photo.png : image PNG illisible" in refused.value.messages[0]
