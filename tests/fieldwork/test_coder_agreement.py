"""Two coders code the same transcript: Cohen's kappa and Krippendorff's alpha per code match values
computed by hand, disagreements are listed and arbitrated (who decided what), and the REFI-QDA project
export carries the texts, codes and both coders' codings (validated against REFI's Project.xsd)."""

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from lxml import etree

from atout.engine.agreement import paragraph_units
from atout.fieldwork import agreement
from atout.fieldwork.coding import code_transcript_range
from atout.fieldwork.models import Arbitration, Session

SCHEMA = Path(__file__).resolve().parents[1] / "fixtures" / "refiqda" / "Project.xsd"
PARAGRAPHS = 50


@pytest.fixture
def two_coders(fieldwork, codes, users):
    """A transcript of 50 paragraphs coded for « Mobilités » by two people as in the textbook 2 × 2 table
    (Wikipedia, "Cohen's kappa", worked example): both yes on 20, A only on 5, B only on 10, both no on 15;
    « Logement » : A on paragraphs 1–10, B on 1–8 (both yes 8, A only 2, both no 40)."""
    transcript = "\n\n".join(f"Intervenant {n} : le car du matin passe trop tôt, dit-on au paragraphe {n}."
                             for n in range(1, PARAGRAPHS + 1))
    session = Session.objects.create(process=fieldwork, title="Réunion publique de Crest", kind="public_meeting",
                                     date=dt.date(2026, 11, 20), transcript=transcript)
    units = paragraph_units(f"s{session.pk}", transcript)
    a, b = users["team"], users["facilitator"]

    def code(coder, numbers, name):
        for n in numbers:
            unit = units[n - 1]
            code_transcript_range(session, unit.start, unit.end, [codes[name]], user=coder)

    code(a, range(1, 26), "Mobilités")   # 1–20 both, 21–25 A only
    code(b, [*range(1, 21), *range(26, 36)], "Mobilités")  # 26–35 B only
    code(a, range(1, 11), "Logement")
    code(b, range(1, 9), "Logement")
    return session, a, b


def hand_kappa(both, a_only, b_only, neither):
    n = both + a_only + b_only + neither
    observed = (both + neither) / n
    a_yes, b_yes = (both + a_only) / n, (both + b_only) / n
    expected = a_yes * b_yes + (1 - a_yes) * (1 - b_yes)
    return (observed - expected) / (1 - expected)


def hand_alpha(both, a_only, b_only, neither):
    """Krippendorff's nominal alpha of two coders without missing values: 1 − (n − 1)·o_yn·2 / (2·n_yes·n_no),
    n counting the 2 × units values (Krippendorff 2011, section C)."""
    n = 2 * (both + a_only + b_only + neither)
    n_yes = 2 * both + a_only + b_only
    n_no = n - n_yes
    disagreeing = 2 * (a_only + b_only)  # o_yn + o_ny
    return 1 - (n - 1) * disagreeing / (2 * n_yes * n_no)


def test_kappa_and_alpha_per_code_match_the_hand_computation(fieldwork, codes, two_coders):
    session, a, b = two_coders
    found = agreement.compare(fieldwork, a, b, sources=[f"s{session.pk}"])
    assert found["sources"] == ["Réunion publique de Crest"] and len(found["result"].units) == PARAGRAPHS
    by_code = {found["names"][c.code]: c for c in found["result"].codes}
    mobility, housing = by_code["Mobilités"], by_code["Logement"]
    assert hand_kappa(20, 5, 10, 15) == pytest.approx(0.4, abs=1e-12)  # the textbook value
    assert mobility.kappa == pytest.approx(0.4, abs=1e-6)
    assert mobility.alpha == pytest.approx(hand_alpha(20, 5, 10, 15), abs=1e-6) == pytest.approx(0.4, abs=1e-6)
    assert housing.kappa == pytest.approx(hand_kappa(8, 2, 0, 40), abs=1e-6)
    assert housing.alpha == pytest.approx(hand_alpha(8, 2, 0, 40), abs=1e-6)
    crest = found["disagreements"]
    assert len(crest) == 5 + 10 + 2
    first = crest[0]
    assert (first["number"], first["code_name"], first["first"], first["second"]) == (9, "Logement", True, False)
    assert first["text"].endswith("au paragraphe 9.")


def test_the_page_lists_disagreements_and_the_team_arbitrates(client, users, fieldwork, codes, two_coders):
    session, a, b = two_coders
    url = reverse("fieldwork:agreement", kwargs={"slug": "drome"})
    client.force_login(users["facilitator"])
    page = client.get(url, {"a": a.pk, "b": b.pk}).content.decode()
    assert "Kappa de Cohen" in page and "Alpha de Krippendorff" in page
    assert "au paragraphe 21." in page and 'name="applies"' not in page  # the facilitator cannot arbitrate
    arbitrate = reverse("fieldwork:arbitrate", kwargs={"slug": "drome"})
    unit = f"s{session.pk}:21"
    assert client.post(arbitrate, {"unit": unit, "code": codes["Mobilités"].pk, "applies": "1"}).status_code == 403
    client.force_login(users["team"])
    done = client.post(arbitrate, {"unit": unit, "code": codes["Mobilités"].pk, "applies": "1", "a": a.pk, "b": b.pk,
                                   "note": "Le car est bien un transport"})
    assert done.status_code == 302 and done["Location"].endswith(f"?a={a.pk}&b={b.pk}#desaccords")
    decision = Arbitration.objects.get(process=fieldwork, unit=unit)
    assert (decision.applies, decision.decided_by, decision.first_coder, decision.second_coder, decision.code) == (
        True, users["team"], a, b, codes["Mobilités"])
    page = client.get(url, {"a": a.pk, "b": b.pk}).content.decode()
    assert "Arbitrage : le code s'applique" in page and "Le car est bien un transport" in page
    bad = client.post(arbitrate, {"unit": f"s{session.pk}:99", "code": codes["Mobilités"].pk, "applies": "0"}, follow=True)
    assert "Arbitrage impossible" in bad.content.decode() and Arbitration.objects.count() == 1


def test_the_cli_prints_the_agreement(fieldwork, two_coders):
    _session, a, b = two_coders
    out = io.StringIO()
    call_command("coding", "agreement", "--process", "drome", "--coders", f"{a.username},{b.username}", "--json",
                 stdout=out)
    result = json.loads(out.getvalue())
    assert (result["coder_a"], result["coder_b_user"]) == ("Codeur A", b.username)
    assert "Réunion publique de Crest" in result["texts"]
    assert {c["code"] for c in result["codes"]} >= {"Mobilités", "Logement"}
    assert all(d["arbitration"] is None for d in result["disagreements"])
    with pytest.raises(CommandError, match="two different user names"):
        call_command("coding", "agreement", "--process", "drome", "--coders", a.username)


def test_the_qdpx_export_validates_and_carries_both_coders(tmp_path, fieldwork, two_coders):
    session, a, b = two_coders
    target = tmp_path / "projet.qdpx"
    out = io.StringIO()
    call_command("coding", "export", "--process", "drome", "--format", "qdpx", "--output", str(target), "--json",
                 stdout=out)
    assert json.loads(out.getvalue())["bytes"] == target.stat().st_size
    with zipfile.ZipFile(target) as archive:
        project = etree.fromstring(archive.read("project.qde"))
        etree.XMLSchema(etree.parse(str(SCHEMA))).assertValid(project)
        ns = {"q": "urn:QDA-XML:project:1.0"}
        users = project.findall("q:Users/q:User", ns)
        assert {u.get("name") for u in users} >= {"Codeur 1", "Codeur 2"}
        assert a.username not in archive.read("project.qde").decode()
        source = next(s for s in project.findall("q:Sources/q:TextSource", ns) if s.get("name") == session.title)
        text = archive.read(source.get("plainTextPath").replace("internal://", "sources/")).decode()
        assert text == session.transcript
        selections = source.findall("q:PlainTextSelection", ns)
        # One selection per passage and coder; a coder's codes on the same passage share it.
        assert len(selections) == 25 + 30
        first = selections[0]
        assert text[int(first.get("startPosition")):int(first.get("endPosition"))].startswith("Intervenant 1 :")
        assert len(first.findall("q:Coding", ns)) == 2  # Mobilités and Logement


def test_the_demo_has_two_coders_to_compare(drome):
    people = [u.username for u, _n in agreement.coders(drome)]
    assert people[:2] == ["equipe", "animation"] or set(people[:2]) == {"equipe", "animation"}
    found = agreement.compare(drome, *[u for u, _n in agreement.coders(drome)[:2]])
    assert found["result"].units and found["disagreements"]
    assert found["only_one"] == ["Visite de terrain — Nyons (simulée)"]
