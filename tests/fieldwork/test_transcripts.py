"""Transcript upload: real .docx and .odt files made here with python-docx and odfpy, plain text
in UTF-8 and Windows-1252, precise errors; numbered passages keep exact character offsets."""

import io
import zipfile

import pytest

from atout.engine.formats.errors import FormatError
from atout.fieldwork.transcripts import paragraphs, read_transcript, segments, speaker_of


def make_docx(paragraph_texts, table=None) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraph_texts:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_odt(heading, paragraph_texts) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text=heading))
    for text in paragraph_texts:
        document.text.addElement(P(text=text))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_document_is_read_paragraph_by_paragraph_with_its_tables():
    data = make_docx(["Animatrice : Qu'aimez-vous à Die ?", "[Jeune 1] La rivière et les montagnes."],
                     table=[["Thème", "Avis"], ["Train", "Trop rare"]])
    text = read_transcript("groupe-die.docx", data).text
    assert text.split("\n\n") == ["Animatrice : Qu'aimez-vous à Die ?", "[Jeune 1] La rivière et les montagnes.",
                                  "Thème | Avis", "Train | Trop rare"]


def test_an_opendocument_text_is_read_in_document_order():
    data = make_odt("Visite de Nyons", ["Un élu : L'huile d'olive est connue.", "Une habitante : Il manque des médecins."])
    text = read_transcript("visite.ODT", data).text
    assert text.split("\n\n") == ["Visite de Nyons", "Un élu : L'huile d'olive est connue.",
                                  "Une habitante : Il manque des médecins."]


def test_utf8_text_and_markdown_are_read_as_is():
    assert read_transcript("notes.md", "# Réunion\r\n\r\n\r\n\r\nÉlus présents.\r\n".encode()).text == "# Réunion\n\nÉlus présents."
    assert read_transcript("notes.txt", "\ufeffÉté".encode()).text == "Été"


def test_windows_1252_text_is_read_with_a_note_naming_the_first_bad_line():
    data = "Première ligne en ASCII\nDeuxième : l'été à Crest\n".encode("cp1252")
    transcript = read_transcript("cr.txt", data)
    assert transcript.text == "Première ligne en ASCII\nDeuxième : l'été à Crest"
    assert "cp1252" in transcript.note and "line 1" in transcript.note


@pytest.mark.parametrize("name,data,message", [
    ("cr.pdf", b"%PDF-1.7", "unsupported transcript format"),
    ("cr.docx", b"not a zip at all", "not a zip package"),
    ("cr.odt", b"PK\x03\x04broken", "not a zip package"),
    ("cr.txt", b"   \n\n ", "holds no text"),
])
def test_bad_transcripts_are_refused_with_the_file_named(name, data, message):
    with pytest.raises(FormatError) as error:
        read_transcript(name, data)
    assert message in str(error.value) and name in str(error.value)


def test_a_zip_without_the_document_part_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(FormatError, match="word/document.xml is missing"):
        read_transcript("faux.docx", out.getvalue())


def test_passages_are_numbered_sentences_whose_offsets_point_into_the_text():
    text = "Animatrice : Bonjour. Que pensez-vous du train ?\n\n[Jeune 1] Il est rare! Le soir, rien.\nVraiment rien."
    parts = segments(text)
    assert [s.text for s in parts] == ["Animatrice : Bonjour.", "Que pensez-vous du train ?", "[Jeune 1] Il est rare!",
                                       "Le soir, rien.", "Vraiment rien."]
    assert [s.number for s in parts] == [1, 2, 3, 4, 5]
    assert [s.paragraph for s in parts] == [0, 0, 1, 1, 1]
    assert all(text[s.start:s.end] == s.text for s in parts)
    assert [p[2][:10] for p in paragraphs(text)] == ["Animatrice", "[Jeune 1] "]
    assert speaker_of("[Jeune 1] Il est rare") == "Jeune 1" and speaker_of("Animatrice : Bonjour") == "Animatrice"
    assert speaker_of("Sans locuteur ici") is None


def test_the_upload_page_stores_the_transcript_of_a_session(client, users, fieldwork):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from atout.fieldwork.models import Session

    session = Session.objects.create(process=fieldwork, title="Réunion publique à Crest", kind="public_meeting",
                                     date="2026-11-20")
    client.force_login(users["facilitator"])
    url = reverse("fieldwork:transcript_upload", kwargs={"slug": fieldwork.slug, "session": session.pk})
    upload = SimpleUploadedFile("C:\\Users\\x\\cr-crest.docx", make_docx(["Un élu : La gare de Crest doit rouvrir."]))
    response = client.post(url, {"file": upload})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.transcript == "Un élu : La gare de Crest doit rouvrir."
    assert session.transcript_source == "cr-crest.docx"
    bad = client.post(url, {"file": SimpleUploadedFile("cr.docx", b"garbage")})
    assert bad.status_code == 400 and "not a zip package" in bad.content.decode()
    session.refresh_from_db()
    assert session.transcript == "Un élu : La gare de Crest doit rouvrir."
