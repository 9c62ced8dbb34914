"""Coding: the workspace codes passages without JavaScript; frequencies and co-occurrences equal
counts made directly from the stored codings; the evidence page lists a code's excerpts."""

import re
from collections import Counter
from itertools import combinations

import pytest
from django.urls import reverse

from atout.fieldwork import coding
from atout.fieldwork.models import Coding, Excerpt
from atout.fieldwork.transcripts import segments


def url(name, process, **kwargs):
    return reverse(f"fieldwork:{name}", kwargs={"slug": process.slug, **kwargs})


def test_a_facilitator_codes_two_consecutive_passages_with_two_codes(client, users, die_session, codes):
    client.force_login(users["facilitator"])
    page = client.get(url("code_session", die_session.process, session=die_session.pk)).content.decode()
    numbers = re.findall(r'name="segment" value="(\d+)"', page)
    assert len(numbers) == len(segments(die_session.transcript))
    passages = {s.number: s for s in segments(die_session.transcript)}
    chosen = [n for n, s in passages.items() if "Le soir il n'y a plus rien" in s.text or "Sans permis" in s.text]
    response = client.post(url("code_session", die_session.process, session=die_session.pk), {
        "segment": [str(n) for n in chosen], "code": [codes["Mobilités"].pk, codes["Emploi et formation"].pk],
        "speaker": "young",
    })
    assert response.status_code == 302
    excerpt = Excerpt.objects.filter(session=die_session).latest("pk")
    assert excerpt.text == die_session.transcript[excerpt.start:excerpt.end]
    assert excerpt.text.startswith("Le soir il n'y a plus rien") and excerpt.text.endswith("on est bloqués.")
    assert excerpt.speaker_category == "young"
    assert excerpt.subterritory.code == "diois-vallee-drome"
    assert set(excerpt.codings.values_list("code__name", flat=True)) == {"Mobilités", "Emploi et formation"}
    assert set(excerpt.codings.values_list("coder__username", flat=True)) == {"animation"}


def test_coding_without_a_code_or_a_passage_is_refused_and_stores_nothing(client, users, die_session, codes):
    client.force_login(users["facilitator"])
    before = Excerpt.objects.count()
    target = url("code_session", die_session.process, session=die_session.pk)
    no_code = client.post(target, {"segment": ["1"]})
    assert no_code.status_code == 400 and "choisissez au moins un code" in no_code.content.decode()
    no_passage = client.post(target, {"code": [codes["Mobilités"].pk]})
    assert no_passage.status_code == 400 and "cochez au moins un passage" in no_passage.content.decode()
    assert Excerpt.objects.count() == before


def test_a_range_outside_the_transcript_is_refused(die_session, codes):
    with pytest.raises(coding.CodingError, match="outside the transcript"):
        coding.code_transcript_range(die_session, 10, len(die_session.transcript) + 1, [codes["Logement"]])


def test_frequencies_by_session_type_speaker_and_subterritory_match_the_raw_codings(fieldwork, codes):
    raw = Counter()
    for excerpt in Excerpt.objects.filter(process=fieldwork).select_related("session", "subterritory"):
        for code_id in set(excerpt.codings.values_list("code_id", flat=True)):
            raw[("session_kind", code_id, excerpt.session.kind if excerpt.session_id else excerpt.source_kind)] += 1
            raw[("speaker", code_id, excerpt.speaker_category or "unknown")] += 1
            raw[("subterritory", code_id, excerpt.subterritory.code if excerpt.subterritory_id else "unknown")] += 1
    assert raw  # the demo has coded excerpts
    for by in ("session_kind", "speaker", "subterritory"):
        table = coding.frequencies(fieldwork, by)
        values = [v for v, _label in table["columns"]]
        for row in table["rows"]:
            for value, n in zip(values, row["counts"], strict=True):
                assert n == raw[(by, row["code"].pk, value)], (by, row["code"].name, value)
            assert row["total"] == sum(raw[(by, row["code"].pk, v)] for v in values)
    logement = next(r for r in coding.frequencies(fieldwork, "subterritory")["rows"] if r["code"].name == "Logement")
    by_zone = dict(zip([v for v, _ in coding.frequencies(fieldwork, "subterritory")["columns"]], logement["counts"], strict=True))
    # Two more in the demo's simulated documents, which belong to no sub-territory.
    assert by_zone == {"diois-vallee-drome": 1, "drome-provencale": 1, "vallee-du-rhone": 1, "unknown": 2}


def test_the_cooccurrence_matrix_matches_the_raw_codings(fieldwork):
    per_excerpt = {}
    for excerpt_id, code_id in Coding.objects.filter(excerpt__process=fieldwork).values_list("excerpt_id", "code_id"):
        per_excerpt.setdefault(excerpt_id, set()).add(code_id)
    pairs = Counter(p for ids in per_excerpt.values() for p in combinations(sorted(ids), 2))
    singles = Counter(c for ids in per_excerpt.values() for c in ids)
    result = coding.cooccurrence(fieldwork)
    ids = [c.pk for c in result["codes"]]
    assert set(ids) == set(singles)
    for i, a in enumerate(ids):
        for j, b in enumerate(ids):
            expected = singles[a] if a == b else pairs[tuple(sorted((a, b)))]
            assert result["matrix"][i][j] == expected
    assert any(result["matrix"][i][j] for i in range(len(ids)) for j in range(len(ids)) if i != j)


def test_the_analysis_page_shows_the_tables(client, users, fieldwork, codes):
    client.force_login(users["facilitator"])
    page = client.get(url("analysis", fieldwork)).content.decode()
    assert 'id="frequences-session_kind"' in page and 'id="cooccurrences-table"' in page
    row = re.search(r'<th scope="row">Logement</th>(.*?)</tr>', page.split('id="cooccurrences-table"')[1]).group(1)
    cells = [int(n) for n in re.findall(r">(\d+)</td>", row)]
    assert max(cells) == 5  # five excerpts coded "Logement" (the diagonal): three in sessions, two in documents
    heatmap = page.split('<svg', 1)[1].split("</svg>", 1)[0]
    matrix = coding.cooccurrence(fieldwork)["matrix"]
    assert heatmap.count("<rect ") == len(matrix) ** 2
    assert "Logement × Tourisme : 3</title>" in heatmap and "," not in re.findall(r' x="([^"]*)"', heatmap)[0]


def test_the_evidence_page_lists_the_excerpts_of_a_code_and_its_children(client, users, fieldwork, codes):
    client.force_login(users["facilitator"])
    page = client.get(url("code", fieldwork, code=codes["Image et notoriété"].pk)).content.decode()
    # "Tourisme" is a child of "Image et notoriété": its excerpts are evidence of the parent too.
    expected = Excerpt.objects.filter(codings__code__in=[codes["Image et notoriété"], codes["Tourisme"]]).distinct()
    assert page.count("<blockquote>") == expected.count() == 5 + 3  # three in the demo's documents
    assert "Les saisonniers ne trouvent pas à se loger." in page
    assert "Données simulées" in page


def test_only_the_team_adds_codes(client, users, fieldwork):
    data = {"name": "Culture", "definition": "Équipements et événements culturels.", "swot": "S"}
    client.force_login(users["facilitator"])
    client.post(url("codebook", fieldwork), data)
    assert not fieldwork.codebook.codes.filter(name="Culture").exists()
    client.force_login(users["team"])
    assert client.post(url("codebook", fieldwork), data).status_code == 302
    assert fieldwork.codebook.codes.get(name="Culture").swot == "S"
    duplicate = client.post(url("codebook", fieldwork), data)
    assert duplicate.status_code == 400 and "existe déjà" in duplicate.content.decode()


def test_no_name_leaks_into_excerpts(fieldwork, die_session):
    die_session.named_participants = "Camille Martin\nLéa Dupont"
    die_session.save()
    assert not Excerpt.objects.filter(text__contains="Camille").exists()


def test_an_open_survey_answer_is_coded_with_the_respondents_zone_and_status(client, users, fieldwork, codes):
    from .permission_samples import open_answer

    zone = fieldwork.subterritories.get(code="vercors-royans")
    answer = open_answer(fieldwork, "Il faudrait un car le dimanche vers Valence.", zone=zone, profile_status="resident")
    client.force_login(users["facilitator"])
    listing = client.get(url("answers", fieldwork)).content.decode()
    assert "Il faudrait un car le dimanche vers Valence." in listing
    response = client.post(url("code_answer", fieldwork, answer=answer.pk), {"code": [codes["Mobilités"].pk]})
    assert response.status_code == 302
    excerpt = Excerpt.objects.get(answer=answer)
    assert (excerpt.text, excerpt.subterritory, excerpt.speaker_category) == (answer.text, zone, "citizen")
    assert excerpt.session is None and excerpt.contribution is None
    table = coding.frequencies(fieldwork, "session_kind")
    column = [v for v, _label in table["columns"]].index("answer")
    row = next(r for r in table["rows"] if r["code"].name == "Mobilités")
    assert row["counts"][column] == 1
