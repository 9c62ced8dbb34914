"""Document corpus: real PDF, DOCX and ODT files written here are imported (pages, CLI), searched without
regard to accents, coded like transcripts, and their coded passages become evidence; bad files are
refused with the reason and nothing is stored."""

import datetime as dt
import io
import json

import docx
import pytest
import weasyprint
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from odf import dc
from odf.opendocument import OpenDocumentText
from odf.text import P
from pypdf import PdfReader, PdfWriter

from atout.fieldwork import documents
from atout.fieldwork.models import Document, Excerpt
from atout.strategy.models import Evidence, SwotItem

SCOT = ("Le territoire préserve ses terres agricoles et densifie les centres-bourgs.",
        "La ressource en eau est sous tension l'été ; les sécheresses se multiplient.")


def pdf_bytes(paragraphs=SCOT, title="SCoT du Grand Valentinois") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return weasyprint.HTML(string=f'<html lang="fr"><head><meta charset="utf-8"><title>{title}</title>'
                                  f'<meta name="author" content="Syndicat mixte">'
                                  f'<meta name="dcterms.created" content="2016-10-25"></head><body>{body}</body></html>').write_pdf()


def docx_bytes(paragraphs, title="Plan tourisme") -> bytes:
    word = docx.Document()
    for p in paragraphs:
        word.add_paragraph(p)
    word.core_properties.title = title
    word.core_properties.created = dt.datetime(2022, 3, 1, tzinfo=dt.UTC)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def odt_bytes(paragraphs, title="Article") -> bytes:
    document = OpenDocumentText()
    document.meta.addElement(dc.Title(text=title))
    for p in paragraphs:
        document.text.addElement(P(text=p))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf_bytes())).pages:
        writer.add_page(page)
    writer.encrypt("secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_pdf_docx_and_odt_are_imported_with_their_text_and_metadata(fieldwork):
    pdf = documents.import_document(fieldwork, "scot.pdf", pdf_bytes(), type="scot")
    assert (pdf.kind, pdf.pages, pdf.title, pdf.author, pdf.year) == ("pdf", 1, "SCoT du Grand Valentinois", "Syndicat mixte", 2016)
    assert pdf.text == "\n\n".join(SCOT) and pdf.file.read() == pdf_bytes()
    word = documents.import_document(fieldwork, "C:\\dossier\\plan.docx", docx_bytes(["Allonger la saison touristique."]),
                                     type="tourism", year=2023)
    assert (word.kind, word.title, word.year, word.file_name) == ("docx", "Plan tourisme", 2023, "plan.docx")
    odt = documents.import_document(fieldwork, "article.odt", odt_bytes(["Les entreprises drômoises recrutent."]),
                                    type="press", title="Recruter en Drôme", author="Le Quotidien")
    assert (odt.kind, odt.title, odt.author, odt.text) == ("odt", "Recruter en Drôme", "Le Quotidien",
                                                           "Les entreprises drômoises recrutent.")
    assert "fieldwork/" in odt.file.name and "article" not in odt.file.name  # a generated name


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("faux.pdf", b"Ceci n'est pas un PDF", "ni un PDF, ni un document Word"),
    ("protege.pdf", None, "protégé par un mot de passe"),
    ("vide.docx", docx_bytes([" "]), "ne contient aucun texte"),
    ("vide.pdf", b"", "le fichier est vide"),
])
def test_bad_files_are_refused_with_the_reason_and_nothing_is_stored(fieldwork, name, data, reason):
    data = encrypted_pdf() if data is None else data
    before = Document.objects.count()
    with pytest.raises(documents.DocumentError) as error:
        documents.import_document(fieldwork, name, data)
    assert str(error.value).startswith(f"« {name} » :") and reason in str(error.value)
    assert Document.objects.count() == before


def test_the_import_page_and_its_errors(client, users, fieldwork):
    url = reverse("fieldwork:document_import", kwargs={"slug": "drome"})
    client.force_login(users["facilitator"])
    assert client.get(url).status_code == 403
    client.force_login(users["team"])
    upload = SimpleUploadedFile("protege.pdf", encrypted_pdf(), content_type="application/pdf")
    refused = client.post(url, {"file": upload, "type": "scot"})
    assert refused.status_code == 400 and "protégé par un mot de passe" in refused.content.decode()
    upload = SimpleUploadedFile("plan.docx", docx_bytes(["Mieux faire connaître la Drôme."]))
    made = client.post(url, {"file": upload, "type": "tourism", "year": "2024", "title": ""})
    document = Document.objects.get(process=fieldwork, file_name="plan.docx")
    assert made.status_code == 302 and made["Location"] == document.get_absolute_url()
    assert document.imported_by == users["team"] and document.year == 2024


def test_search_ignores_accents_and_case_and_shows_the_paragraphs(client, users, fieldwork):
    documents.import_document(fieldwork, "scot.pdf", pdf_bytes(), type="scot")
    documents.import_document(fieldwork, "article.odt", odt_bytes(["Les entreprises DRÔMOISES recrutent."]), type="press")
    found = documents.search(fieldwork, "SECHERESSES")
    assert [(d.type, snippets) for d, snippets in found if not d.simulated] == [("scot", [SCOT[1]])]
    assert [d.type for d, _s in documents.search(fieldwork, "dromoises recrutent") if not d.simulated] == ["press"]
    assert [d for d, _s in documents.search(fieldwork, "sécheresse recrutent") if not d.simulated] == []
    client.force_login(users["facilitator"])
    page = client.get(reverse("fieldwork:documents", kwargs={"slug": "drome"}), {"q": "sécheresses"}).content.decode()
    assert "les sécheresses se multiplient" in page and "Importer un document" not in page


def test_documents_are_coded_like_transcripts_and_passages_become_evidence(client, users, fieldwork, codes):
    document = documents.import_document(fieldwork, "scot.pdf", pdf_bytes(), type="scot")
    client.force_login(users["facilitator"])
    url = document.get_absolute_url()
    page = client.get(url).content.decode()
    assert 'name="segment" value="2"' in page and "Utiliser comme preuve" not in page
    response = client.post(url, {"segment": ["2"], "code": [codes["Eau et climat"].pk]})
    excerpt = Excerpt.objects.get(document=document)
    assert response.status_code == 302 and excerpt.text == SCOT[1]
    assert (excerpt.source_kind, excerpt.created_by, [c.code.name for c in excerpt.codings.all()]) == (
        "document", users["facilitator"], ["Eau et climat"])
    assert client.post(url, {"segment": ["2"]}).status_code == 400  # no code chosen
    assert client.post(reverse("fieldwork:excerpt_evidence", kwargs={"slug": "drome", "excerpt": excerpt.pk})).status_code == 403
    client.force_login(users["team"])
    item = SwotItem.objects.create(process=fieldwork, kind="T", title="Ressource en eau sous tension")
    made = client.post(reverse("fieldwork:excerpt_evidence", kwargs={"slug": "drome", "excerpt": excerpt.pk}),
                       {"swot": item.pk})
    evidence = Evidence.objects.get(process=fieldwork, key=f"excerpt:{excerpt.pk}")
    assert made.status_code == 302 and made["Location"] == evidence.get_absolute_url()
    assert (evidence.kind, evidence.public, evidence.vintage) == ("document", True, "2016")
    assert f"« {SCOT[1]} »" in evidence.summary
    assert evidence.source == "SCoT (schéma de cohérence territoriale) — « SCoT du Grand Valentinois » (Syndicat mixte, 2016, p. 1)"
    assert list(item.linked_evidence()) == [evidence]
    assert evidence.origin_url() == f"{url}#extrait-{excerpt.pk}"
    assert f'href="{evidence.get_absolute_url()}"' in client.get(url).content.decode()


def test_the_cli_imports_and_lists_documents(tmp_path, fieldwork):
    path = tmp_path / "plan.odt"
    path.write_bytes(odt_bytes(["Allonger la saison.", "Itinérance à vélo."], title="Plan tourisme 2024"))
    out = io.StringIO()
    call_command("documents", "import", str(path), "--process", "drome", "--type", "tourisme", "--year", "2024",
                 "--json", stdout=out)
    made = json.loads(out.getvalue())
    assert (made["title"], made["type"], made["year"], made["format"], made["paragraphs"]) == (
        "Plan tourisme 2024", "tourism", 2024, "odt", 2)
    out = io.StringIO()
    call_command("documents", "list", "--process", "drome", "--json", stdout=out)
    listed = json.loads(out.getvalue())["documents"]
    assert made["document"] in [d["document"] for d in listed]
    bad = tmp_path / "faux.pdf"
    bad.write_bytes(b"pas un pdf")
    with pytest.raises(CommandError, match="ni un PDF"):
        call_command("documents", "import", str(bad), "--process", "drome")
    with pytest.raises(CommandError, match="unknown --type"):
        call_command("documents", "import", str(path), "--process", "drome", "--type", "roman")


def test_the_api_lists_searches_and_shows_documents(client, users, fieldwork):
    from atout.api.tokens import create_token

    document = documents.import_document(fieldwork, "scot.pdf", pdf_bytes(), type="scot")
    key = create_token(users["facilitator"], "terrain", "read")[1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    found = client.get("/api/v1/processes/drome/documents", {"q": "secheresses"}, **headers).json()
    assert [(d["id"], d["snippets"]) for d in found if not d["simulated"]] == [(document.pk, [SCOT[1]])]
    detail = client.get(f"/api/v1/processes/drome/documents/{document.pk}", **headers).json()
    assert detail["text"] == document.text and detail["type"] == "scot"
    participant = create_token(users["participant"], "lecture", "read")[1]
    assert client.get("/api/v1/processes/drome/documents", HTTP_AUTHORIZATION=f"Bearer {participant}").status_code == 404


def test_the_demo_corpus_is_simulated_coded_and_used_as_evidence(drome):
    corpus = Document.objects.filter(process=drome, simulated=True)
    assert sorted(corpus.values_list("kind", flat=True)) == ["docx", "odt", "pdf"]
    assert all(d.text.startswith("[DOCUMENT SIMULÉ") and "simulé" in d.title for d in corpus)
    excerpts = Excerpt.objects.filter(document__in=corpus)
    assert excerpts.count() == 8 and all(e.codings.exists() for e in excerpts)
    evidence = Evidence.objects.filter(process=drome, key__in=[f"excerpt:{e.pk}" for e in excerpts])
    assert evidence.count() == 8 and all(e.simulated and e.kind == "document" for e in evidence)
