"""No formula injection in the fieldwork CSV exports: an excerpt or a code that starts with
``= + - @`` comes out with a leading apostrophe."""

import csv
import io

from django.urls import reverse

from atout.fieldwork.models import Code, Excerpt

PAYLOADS = ['=HYPERLINK("http://x","clic")', "+1+1", "-2+3", "@SUM(A1)"]


def test_the_excerpts_and_codebook_csv_neutralise_formulas(client, users, fieldwork):
    excerpts = list(Excerpt.objects.filter(process=fieldwork, codings__isnull=False).distinct().order_by("pk")[:4])
    for excerpt, payload in zip(excerpts, PAYLOADS, strict=True):
        Excerpt.objects.filter(pk=excerpt.pk).update(text=payload)
    code = Code.objects.filter(codebook__process=fieldwork).order_by("pk").first()
    Code.objects.filter(pk=code.pk).update(definition="-2+3", name="@SUM(A1)")
    client.force_login(users["facilitator"])
    text = client.get(reverse("fieldwork:export_excerpts_csv", kwargs={"slug": fieldwork.slug})).content.decode()
    rows = {int(r["excerpt_id"]): r for r in csv.DictReader(io.StringIO(text))}
    assert [rows[e.pk]["text"] for e in excerpts] == ["'" + p for p in PAYLOADS]
    text = client.get(reverse("fieldwork:export_codebook_csv", kwargs={"slug": fieldwork.slug})).content.decode()
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["id"] == str(code.pk))
    assert (row["name"], row["definition"]) == ("'@SUM(A1)", "'-2+3")
    assert row["excerpts"].isdigit()  # counts stay numbers
