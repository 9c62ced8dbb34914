"""Text extraction from real PDF, DOCX and ODT files, written here by WeasyPrint, python-docx and odfpy."""

import base64
import datetime as dt
import io
import zipfile

import docx
import pytest
import weasyprint
from odf import dc, meta, table, text
from odf.opendocument import OpenDocumentSpreadsheet, OpenDocumentText
from pypdf import PdfReader, PdfWriter

from atout.engine import documents
from atout.engine.formats.errors import FormatError

LONG = ("Le territoire du Grand Valentinois s'étend de part et d'autre du Rhône. Il rassemble des communes "
        "urbaines, périurbaines et rurales dont les habitants partagent un bassin de vie et d'emploi.")
AGRICULTURE = ("Préserver les terres agricoles, première ressource économique et paysagère du territoire, "
               "en limitant l'étalement urbain et en densifiant les centres-bourgs.")
SCOT_HTML = f"""<html lang="fr"><head><meta charset="utf-8">
<title>Schéma de cohérence territoriale du Grand Valentinois</title>
<meta name="author" content="Syndicat mixte du SCoT"><meta name="dcterms.created" content="2016-10-25"></head>
<body><h1>Projet d'aménagement</h1><p>{LONG}</p><p>Deuxième paragraphe, court.</p>
<div style="page-break-before: always"><h2>Orientations</h2><p>{AGRICULTURE}</p>
<ul><li>Densifier les centres.</li><li>Protéger les paysages.</li></ul></div></body></html>"""


def _pdf(html: str) -> bytes:
    return weasyprint.HTML(string=html).write_pdf()


@pytest.fixture(scope="module")
def scot_pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("docs") / "scot.pdf"
    path.write_bytes(_pdf(SCOT_HTML))
    return path


def test_a_two_page_pdf_gives_its_paragraphs_with_their_page_numbers(scot_pdf):
    document = documents.extract(scot_pdf)
    assert document.kind == "pdf" and document.pages == 2 and document.warnings == []
    assert [(p.text, p.page) for p in document.paragraphs] == [
        ("Projet d'aménagement", 1), (LONG, 1), ("Deuxième paragraphe, court.", 1),
        ("Orientations", 2), (AGRICULTURE, 2), ("• Densifier les centres.", 2), ("• Protéger les paysages.", 2),
    ]
    assert (document.title, document.author, document.year) == (
        "Schéma de cohérence territoriale du Grand Valentinois", "Syndicat mixte du SCoT", 2016)


def test_the_text_and_the_spans_of_its_paragraphs_agree(scot_pdf):
    document = documents.extract(scot_pdf)
    for paragraph, (start, end) in zip(document.paragraphs, document.spans(), strict=True):
        assert document.text[start:end] == paragraph.text


def test_a_docx_gives_paragraphs_tables_styles_and_core_properties(tmp_path):
    word = docx.Document()
    word.add_heading("Plan de développement touristique", level=1)
    word.add_paragraph(LONG)
    grid = word.add_table(rows=3, cols=2)
    grid.cell(0, 0).text, grid.cell(0, 1).text = "Filière", "Emplois"
    grid.cell(1, 0).text, grid.cell(1, 1).text = "Tourisme", "12 400"
    grid.cell(2, 0).merge(grid.cell(2, 1)).text = "Source : URSSAF"  # a merged cell is read once
    word.add_paragraph("")
    word.add_paragraph("Conclusion : l'œnotourisme progresse.")
    word.core_properties.title = "Plan tourisme 2022-2027"
    word.core_properties.author = "Agence de développement touristique"
    word.core_properties.created = dt.datetime(2022, 3, 1, tzinfo=dt.UTC)
    path = tmp_path / "plan.docx"
    word.save(path)
    document = documents.extract(path)
    assert document.kind == "docx" and document.pages is None
    assert [p.text for p in document.paragraphs] == [
        "Plan de développement touristique", LONG, "Filière", "Emplois", "Tourisme", "12 400",
        "Source : URSSAF", "Conclusion : l'œnotourisme progresse."]
    assert document.paragraphs[0].style == "Heading 1" and {p.page for p in document.paragraphs} == {None}
    assert (document.title, document.author, document.year) == ("Plan tourisme 2022-2027", "Agence de développement touristique", 2022)


def test_an_odt_gives_headings_paragraphs_lists_and_its_metadata(tmp_path):
    odt = OpenDocumentText()
    odt.text.addElement(text.H(outlinelevel=1, text="Diagnostic agricole"))
    odt.text.addElement(text.P(text=AGRICULTURE))
    items = text.List()
    for line in ("Agriculture biologique", "Arboriculture"):
        item = text.ListItem()
        item.addElement(text.P(text=line))
        items.addElement(item)
    odt.text.addElement(items)
    odt.text.addElement(text.P(text=""))
    odt.meta.addElement(dc.Title(text="Chambre d'agriculture : diagnostic"))
    odt.meta.addElement(meta.InitialCreator(text="Chambre d'agriculture de la Drôme"))
    odt.meta.addElement(meta.CreationDate(text="2021-06-14T09:00:00"))
    path = tmp_path / "diagnostic.odt"
    odt.save(str(path))
    document = documents.extract(path)
    assert document.kind == "odt"
    assert [p.text for p in document.paragraphs] == ["Diagnostic agricole", AGRICULTURE, "Agriculture biologique", "Arboriculture"]
    assert (document.title, document.author, document.year) == (
        "Chambre d'agriculture : diagnostic", "Chambre d'agriculture de la Drôme", 2021)


def test_the_type_comes_from_the_content_not_the_name(tmp_path, scot_pdf):
    disguised = tmp_path / "rapport.odt"
    disguised.write_bytes(scot_pdf.read_bytes())
    assert documents.extract(disguised).kind == "pdf"
    png = tmp_path / "rapport.pdf"
    png.write_bytes(base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="))
    with pytest.raises(FormatError, match=r"rapport\.pdf: unknown document type: not a PDF, DOCX or ODT document"):
        documents.extract(png)


@pytest.mark.parametrize(("content", "message"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Microsoft Office file"),
    (b"", "an empty file"),
    (b"Juste du texte.", "not a PDF, DOCX or ODT document"),
])
def test_unknown_types_are_named(tmp_path, content, message):
    path = tmp_path / "piece.doc"
    path.write_bytes(content)
    with pytest.raises(FormatError, match=message) as error:
        documents.extract(path)
    assert "piece.doc" in str(error.value)


def test_an_opendocument_spreadsheet_is_not_a_text_document(tmp_path):
    sheet = OpenDocumentSpreadsheet()
    sheet.spreadsheet.addElement(table.Table(name="Feuille1"))
    path = tmp_path / "chiffres.odt"
    sheet.save(str(path))
    with pytest.raises(FormatError, match="not a text document"):
        documents.extract(path)


def test_an_encrypted_pdf_needs_its_password_and_an_owner_only_lock_is_read(tmp_path, scot_pdf):
    for user_password, name in (("secret", "protege.pdf"), ("", "restreint.pdf")):
        writer = PdfWriter(clone_from=PdfReader(scot_pdf))
        writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
        with open(tmp_path / name, "wb") as handle:
            writer.write(handle)
    with pytest.raises(FormatError, match=r"protege\.pdf: encrypted PDF: it needs a password"):
        documents.extract(tmp_path / "protege.pdf")
    assert documents.extract(tmp_path / "restreint.pdf").paragraphs[1].text == LONG


def test_a_scanned_pdf_without_text_layer_is_named_as_such(tmp_path):
    drawing = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">'
                               b'<rect width="200" height="100" fill="#888"/></svg>').decode()
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf(f'<html><body><img src="data:image/svg+xml;base64,{drawing}"></body></html>'))
    with pytest.raises(FormatError, match=r"scan\.pdf: no text layer; OCR is not available offline"):
        documents.extract(path)


def test_a_pdf_with_some_scanned_pages_warns_which(tmp_path):
    drawing = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"/>').decode()
    path = tmp_path / "mixte.pdf"
    path.write_bytes(_pdf(f'<p>Page de texte.</p><div style="page-break-before: always">'
                          f'<img src="data:image/svg+xml;base64,{drawing}"></div>'))
    document = documents.extract(path)
    assert [p.text for p in document.paragraphs] == ["Page de texte."]
    assert document.warnings == ["page(s) 2 have no text layer (scanned images or blank): their content is missing"]


def test_corrupt_files_are_named(tmp_path, scot_pdf):
    truncated = tmp_path / "tronque.pdf"
    truncated.write_bytes(scot_pdf.read_bytes()[:300])
    with pytest.raises(FormatError, match=r"tronque\.pdf: (corrupt or unreadable PDF|no text layer)"):
        documents.extract(truncated)
    broken_docx = tmp_path / "abime.docx"
    with zipfile.ZipFile(broken_docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("word/document.xml", "<w:document")
    with pytest.raises(FormatError, match=r"abime\.docx: corrupt or unreadable DOCX"):
        documents.extract(broken_docx)
    broken_odt = tmp_path / "abime.odt"
    with zipfile.ZipFile(broken_odt, "w") as archive:
        archive.writestr("mimetype", documents.ODT_MIMETYPE)
        archive.writestr("content.xml", "<office:document-content")
    with pytest.raises(FormatError, match=r"abime\.odt: corrupt or unreadable ODT"):
        documents.extract(broken_odt)
    with pytest.raises(FormatError, match="no such file"):
        documents.extract(tmp_path / "absent.pdf")


def test_detect_kind_reads_bytes_in_memory(scot_pdf):
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    assert documents.detect_kind(buffer.getvalue()) == "docx"
    assert documents.detect_kind(scot_pdf.read_bytes()) == "pdf"
