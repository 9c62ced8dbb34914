"""Exports: codebook and coded excerpts as CSV, and the codebook as REFI-QDA XML, parsed back."""

import csv
import io
import xml.etree.ElementTree as ET

from django.urls import reverse

from atout.fieldwork.exports import QDC_NAMESPACE
from atout.fieldwork.models import Code, Excerpt

Q = f"{{{QDC_NAMESPACE}}}"


def test_the_refi_qda_codebook_parses_back_into_the_same_tree(client, users, fieldwork):
    client.force_login(users["facilitator"])
    response = client.get(reverse("fieldwork:export_codebook_qdc", kwargs={"slug": fieldwork.slug}))
    assert response.status_code == 200 and response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(response.content)
    assert root.tag == Q + "CodeBook"
    codes = Code.objects.filter(codebook__process=fieldwork)
    found = {el.get("guid"): el for el in root.iter(Q + "Code")}
    assert set(found) == {str(c.guid) for c in codes}
    for code in codes:
        element = found[str(code.guid)]
        assert element.get("name") == code.name and element.get("isCodable") == "true"
        assert element.get("color").startswith("#") and len(element.get("color")) == 7
        assert element.findtext(Q + "Description") == code.definition
        parent = root.find(f".//{Q}Code[@guid='{code.guid}']/..")
        assert parent.get("guid") == (str(code.parent.guid) if code.parent else None)
    sets = {s.get("name"): {m.get("targetGUID") for m in s.iter(Q + "MemberCode")} for s in root.iter(Q + "Set")}
    assert sets["AFOM : Menace"] == {str(c.guid) for c in codes.filter(swot="T")}
    assert sets["Axe : Proximité"] == {str(c.guid) for c in codes.filter(axis__code="proximite")}


def test_the_codebook_csv_counts_excerpts_per_code(client, users, fieldwork):
    client.force_login(users["facilitator"])
    text = client.get(reverse("fieldwork:export_codebook_csv", kwargs={"slug": fieldwork.slug})).content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == Code.objects.filter(codebook__process=fieldwork).count()
    by_name = {r["name"]: r for r in rows}
    assert by_name["Tourisme"]["path"] == "Image et notoriété › Tourisme"
    assert by_name["Logement"]["excerpts"] == "5" and by_name["Logement"]["swot"] == "W"
    assert by_name["Mobilités"]["axis"] == "proximite"


def test_the_excerpts_csv_has_one_row_per_coded_excerpt_and_no_names(client, users, fieldwork):
    client.force_login(users["facilitator"])
    text = client.get(reverse("fieldwork:export_excerpts_csv", kwargs={"slug": fieldwork.slug})).content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == Excerpt.objects.filter(process=fieldwork, codings__isnull=False).distinct().count()
    row = next(r for r in rows if r["text"].startswith("Les saisonniers ne trouvent"))
    assert row["codes"] == "Image et notoriété › Tourisme | Logement"
    assert (row["session_kind"], row["subterritory"], row["speaker_category"]) == ("field_visit", "Drôme provençale", "business")
    excerpt = Excerpt.objects.get(pk=row["excerpt_id"])
    assert excerpt.session.transcript[int(row["start"]):int(row["end"])] == row["text"]
