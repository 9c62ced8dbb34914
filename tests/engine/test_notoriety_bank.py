"""The notoriety and image question bank: a real XLSForm that pyxform converts, audiences as conditions."""

import numpy as np
import pandas as pd
import pytest
from lxml import etree
from pyxform.xls2xform import convert

from atout.engine import barometer, expressions
from atout.engine.banks import notoriety as bank
from atout.engine.formats import cog, xlsform

DROME = bank.TerritoryNames("Drôme", "la Drôme", "dans la Drôme", "the Drôme", ("26",), "84", ("Drôme", "Drome"))
ARDECHE = bank.TerritoryNames("Ardèche", "l'Ardèche", "en Ardèche", "the Ardèche", ("07",), "84")
XF = {"h": "http://www.w3.org/1999/xhtml", "x": "http://www.w3.org/2002/xforms"}


@pytest.fixture(scope="module")
def departements(data_dir):
    return cog.read_departements(data_dir / "geo" / "cog-departements-2025.csv")


@pytest.fixture(scope="module")
def written(departements, tmp_path_factory):
    path = tmp_path_factory.mktemp("bank") / "barometre.xlsx"
    form = bank.notoriety_form(DROME, departements)
    return form, xlsform.write_xlsform(form, path)


def test_the_bank_is_an_xlsform_that_pyxform_converts_without_error_or_warning(written):
    _, path = written
    warnings: list[str] = []
    result = convert(xlsform=str(path), warnings=warnings)
    assert warnings == [] and result.warnings == []
    xform = etree.fromstring(result.xform.encode())
    languages = {t.get("lang") for t in xform.iterfind(".//x:itext/x:translation", XF)}
    assert languages == {bank.FR, bank.EN}
    binds = {b.get("nodeset").rsplit("/", 1)[-1]: b for b in xform.iterfind(".//x:bind", XF)}
    assert binds["fierte"].get("relevant")  # audiences became relevance conditions in the XForm
    assert "/residence_departement" in binds["fierte"].get("relevant")
    # the France-wide département question is filtered by the region chosen
    filtered = [i.get("nodeset") for i in xform.iterfind(".//x:itemset", XF)]
    assert any("region" in nodeset and "residence_region" in nodeset for nodeset in filtered)


def test_reading_the_written_bank_gives_back_the_same_form(written):
    form, path = written
    assert xlsform.read_xlsform(path) == form


def test_every_label_is_in_french_and_english_with_the_territory_named(written):
    form, _ = written
    items = [*form.questions(), *form.groups()]
    for item in items:
        assert item.labels.get(bank.FR) and item.labels.get(bank.EN), item.name
        assert "{" not in item.labels[bank.FR] + item.labels[bank.EN], item.name
    questions = {q.name: q for q in form.questions()}
    assert questions["notoriete_assistee"].labels[bank.FR] == "Connaissez-vous la Drôme, ne serait-ce que de nom ?"
    assert questions["hex_presence_connue"].labels[bank.FR] == "La Drôme a une bonne réputation en France"
    assert "Auvergne-Rhône-Alpes" in questions["notoriete_spontanee"].labels[bank.FR]
    assert len(questions["residence_departement"].choices) == 101
    assert {c.properties["region"] for c in questions["residence_departement"].choices} == set(bank.REGIONS)
    ardeche = {q.name: q for q in bank.notoriety_form(ARDECHE, cog_departements(form)).questions()}
    assert ardeche["fierte"].labels[bank.FR] == "Je suis fier ou fière d'habiter en Ardèche"


def cog_departements(form):
    """The département records back from a written form (name after the code)."""
    question = next(q for q in form.questions() if q.name == "residence_departement")
    return [cog.DepartementRecord(c.name, c.labels[bank.FR].split(" – ", 1)[1], c.properties["region"]) for c in question.choices]


def test_unaided_awareness_comes_on_its_own_page_before_the_territory_is_named(written):
    form, _ = written
    pages = [g.name for g in form.items]
    assert pages.index("notoriete_spontanee_page") < pages.index("notoriete_assistee_page")
    unaided = form.items[pages.index("notoriete_spontanee_page")]
    assert [q.name for q in unaided.children] == ["notoriete_spontanee"]
    assert "Drôme" not in unaided.children[0].labels[bank.FR]


def test_the_image_matrix_covers_the_six_dimensions_of_the_hexagon(written):
    form, _ = written
    image = next(g for g in form.groups() if g.name == "image")
    assert image.is_matrix
    measures = barometer.hexagon_measures([q.name for q in image.children])
    assert [m.name for m in measures] == [f"hexagon_{d}" for d in
                                          ("presence", "place", "potential", "pulse", "people", "prerequisites")]
    assert all(len(m.columns) == 2 for m in measures)


RESPONDENTS = pd.DataFrame([
    {"repondant": "particulier", "residence_region": "84", "residence_departement": "26", "situation": "retraite"},
    {"repondant": "particulier", "residence_region": "84", "residence_departement": "38", "situation": "emploi",
     "mobilite": "oui", "notoriete_assistee": "oui_nom", "visite": "oui"},
    {"repondant": "particulier", "residence_region": "etranger", "situation": "etudes", "mobilite": "non",
     "notoriete_assistee": "non"},
    {"repondant": "entreprise", "residence_region": "11", "residence_departement": "75", "notoriete_assistee": "oui_bien",
     "visite": "non"},
    {"repondant": "entreprise", "residence_region": "84", "residence_departement": "26"},
])


@pytest.mark.parametrize(("audience", "members"), [
    ("resident", [True, False, False, False, True]),
    ("non_resident", [False, True, True, True, False]),
    ("talent", [False, True, False, False, False]),
    ("company", [False, False, False, True, True]),
    ("visitor", [False, True, False, False, False]),
])
def test_audiences_select_their_respondents(audience, members):
    assert bank.audience_members(RESPONDENTS, audience, DROME).tolist() == members


def test_questions_are_shown_to_their_audiences_only(written):
    form, _ = written
    relevance = xlsform_relevance(form)
    resident, visitor_from_isere, abroad_unaware = (RESPONDENTS.iloc[i].dropna().to_dict() for i in range(3))
    assert expressions.evaluate_condition(relevance["fierte"], resident)
    assert not expressions.evaluate_condition(relevance["fierte"], visitor_from_isere)
    assert expressions.evaluate_condition(relevance["notoriete_assistee"], abroad_unaware)
    assert not expressions.evaluate_condition(relevance["notoriete_assistee"], resident)
    assert not expressions.evaluate_condition(relevance["hex_people_accueil"], abroad_unaware)  # does not know it
    assert expressions.evaluate_condition(relevance["intention_talent"], visitor_from_isere)


def xlsform_relevance(form) -> dict[str, str]:
    """Each question's full condition: its own and its groups', joined with 'and'."""
    conditions: dict[str, str] = {}

    def visit(items, inherited):
        for item in items:
            own = [*inherited, f"({item.relevant})"] if item.relevant else inherited
            if isinstance(item, xlsform.Group):
                visit(item.children, own)
            else:
                conditions[item.name] = " and ".join(own) or "true()"

    visit(form.items, [])
    return conditions


def test_bad_territory_names_are_refused(departements):
    with pytest.raises(ValueError, match="unknown region code '99'"):
        bank.TerritoryNames("X", "x", "dans x", "x", ("26",), "99")
    with pytest.raises(ValueError, match=r"département\(s\) \['2C'\] are not in"):
        bank.notoriety_form(bank.TerritoryNames("X", "x", "dans x", "x", ("2C",), "94"), departements)


def test_the_banks_measures_compare_two_simulated_waves(departements):
    rng = np.random.default_rng(26)

    def wave(label, awareness):
        n = 600
        aware = rng.random(n) < awareness
        frame = pd.DataFrame({
            "repondant": "particulier", "residence_region": "84", "residence_departement": "38",
            "notoriete_spontanee": np.where(rng.random(n) < awareness / 3, "la Drome, l'Isère", "Savoie"),
            "notoriete_assistee": np.where(aware, "oui_nom", "non"),
            "visite": np.where(aware, np.where(rng.random(n) < 0.3, "oui", "non"), None),
            **{name: np.where(aware, rng.integers(1, 6, n).astype(str), None) for name, _, _ in bank.HEXAGON_ITEMS},
            "intention_sejour": rng.choice([c for c, _, _ in bank.LIKELIHOOD], n),
            "recommande": np.where(aware, rng.integers(0, 11, n), np.nan),
            "fierte": None,  # residents only: none in these waves
        })
        return barometer.Wave(label, bank.with_unaided_awareness(frame, DROME))

    first, second = wave("2025", 0.45), wave("2026", 0.55)
    measures = bank.barometer_measures(first.answers.columns)
    assert {"intention_installation", "attachement"}.isdisjoint(m.name for m in measures)  # not asked here
    table = barometer.compare_waves(measures, first, second)
    rows = table.set_index("measure")
    assert rows.loc["notoriete_assistee", "reading"] == "increase"
    assert rows.loc["notoriete_spontanee", "first_n"] == 600  # every non-resident was asked
    assert rows.loc["fierte", "reading"] == "no_data"  # residents' question, no resident in these waves
    assert rows.loc["hexagon_people", "first_n"] == rows.loc["notoriete_assistee", "first_n"] * rows.loc[
        "notoriete_assistee", "first_estimate"]
