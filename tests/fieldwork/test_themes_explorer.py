"""Theme explorer: a run on real contributions is stored with its parameters and shown; people
rename, merge, split, move and promote; agreement with a human coding made here is computed."""

import re

import pytest
from django.urls import reverse

from atout.engine import themes as engine
from atout.fieldwork import coding, themeruns
from atout.fieldwork.imports import import_contributions
from atout.fieldwork.models import Code, Contribution, Theme, ThemeAssignment, ThemeRun


@pytest.fixture
def run(fieldwork, data_dir):
    path = data_dir / "consultation" / "decidim-lille" / "commentaires_debats.csv"
    batch = import_contributions(fieldwork, path, "decidim", label="Lille (exemple)")
    return themeruns.start_run(fieldwork, k=6, seed=0, batches=[batch.pk], transcripts=True, label="Essai")


def test_a_run_is_stored_with_its_parameters_themes_and_assignments(run):
    assert run.status == ThemeRun.Status.DONE and run.progress == 100
    assert run.parameters == {"k": 6, "seed": 0, "batches": run.parameters["batches"], "transcripts": True}
    units = 693 + sum(len(themeruns.paragraphs(s.transcript)) for s in run.process.fieldwork_sessions.all())
    assert run.answers == units == len(run.result["answers"])
    themes = list(run.themes.all())
    assert len(themes) == 6 == run.result["k"]
    for theme in themes:
        assert theme.size == ThemeAssignment.objects.filter(theme=theme).count() > 0
        assert theme.label and theme.terms and theme.quotes
    multi = [u for u, ids in run.result["answers"].items() if len(ids) > 1]
    assert multi, "some texts carry several themes"
    first = ThemeAssignment.objects.filter(theme__run=run, rank=0, contribution__isnull=False).first()
    assert run.result["answers"][first.unit][0] == first.theme.number
    sources = {r["value"] for r in run.result["spread"] if r["segment"] == "source"}
    assert any("Lille" in s for s in sources) and "Visite de terrain" in sources


def test_the_explorer_shows_themes_and_suppresses_small_cells(client, users, run):
    client.force_login(users["team"])
    page = client.get(run.get_absolute_url()).content.decode()
    for theme in run.themes.all():
        assert theme.label in page
    assert "&lt; 10" in page  # a segment count under 10 is not printed
    table = themeruns.spread_table(run, "source")
    assert all(n >= themeruns.SMALL_CELL for _v, n in table["values"])
    assert table["hidden"] >= 1  # the three simulated sessions have fewer than 10 paragraphs each
    drill = client.get(reverse("fieldwork:theme", kwargs={"slug": run.process.slug, "run": run.pk, "theme": 1}))
    assert drill.status_code == 200
    assert len(re.findall(r'name="units" value="', drill.content.decode())) == min(run.themes.get(number=1).size, 300)
    client.force_login(users["facilitator"])
    assert client.get(run.get_absolute_url()).status_code == 403


def test_people_rename_merge_split_and_move_through_the_engine(client, users, run):
    client.force_login(users["team"])
    edit = reverse("fieldwork:theme_edit", kwargs={"slug": run.process.slug, "run": run.pk})
    client.post(edit, {"action": "rename", "theme": "2", "label": "Démocratie et vote"})
    assert run.themes.get(number=2).label == "Démocratie et vote"
    sizes = dict(run.themes.values_list("number", "size"))
    client.post(edit, {"action": "merge", "themes": ["3", "4"]})
    run.refresh_from_db()
    assert not run.themes.filter(number=4).exists() and run.themes.count() == 5
    assert run.themes.get(number=3).size >= max(sizes[3], sizes[4])
    client.post(edit, {"action": "split", "theme": "1", "parts": "2"})
    assert run.themes.count() == 6
    unit = ThemeAssignment.objects.filter(theme__run=run, theme__number=1).first().unit
    client.post(edit, {"action": "move", "units": [unit], "from": "1", "to": "2"})
    run.refresh_from_db()
    assert 1 not in run.result["answers"][unit] and run.result["answers"][unit][0] == 2
    assert [h["action"] for h in run.result["history"]] == ["rename", "merge", "split", "move"]
    assert themeruns.load(run).history == run.result["history"]


def test_agreement_between_a_human_coding_and_the_automatic_themes(client, users, run):
    """A person codes 30 contributions by reading them (here: by a rule standing for the reading —
    'vote' or 'référendum' in the text), the theme about votes is promoted to that code, and the
    kappa shown equals the engine's on the same indicators."""
    vote_theme = next(t for t in run.themes.all() if re.search(r"vote|référendum|citoyen", " ".join(t.terms)))
    client.force_login(users["team"])
    edit = reverse("fieldwork:theme_edit", kwargs={"slug": run.process.slug, "run": run.pk})
    client.post(edit, {"action": "promote", "theme": str(vote_theme.number), "name": "Démocratie directe"})
    code = Code.objects.get(codebook__process=run.process, name="Démocratie directe")
    assert run.themes.get(number=vote_theme.number).code == code
    other = Code.objects.get(codebook__process=run.process, name="Mobilités")
    contributions = list(Contribution.objects.filter(batch__label="Lille (exemple)").exclude(text="").order_by("pk")[:30])
    human = {}
    for c in contributions:
        about_votes = bool(re.search(r"\bvot|référendum|\bRIC\b", c.text, re.IGNORECASE))
        coding.code_contribution(c, [code] if about_votes else [other], user=users["team"])
        human[f"c{c.pk}"] = [code.pk] if about_votes else []
    # The demo's coded transcript excerpts count too: their paragraphs were coded, not with this code.
    for session in run.process.fieldwork_sessions.all():
        for i, (start, end, _text) in enumerate(themeruns.paragraphs(session.transcript)):
            if session.excerpts.filter(start__lt=end, end__gt=start).exists():
                human[f"s{session.pk}p{i}"] = []
    result = themeruns.agreement(run)
    automatic = {u: [code.pk] if vote_theme.number in ids else [] for u, ids in run.result["answers"].items()}
    expected = engine.agreement(automatic, human, codes=[code.pk])
    assert result["answers"] == len(human) > 30
    assert result["overall"] == pytest.approx(expected["overall"])
    assert result["per_code"][0]["kappa"] == pytest.approx(expected["per_code"][code.pk])
    assert -1 <= result["overall"] <= 1 and result["overall"] > 0
    page = client.get(run.get_absolute_url()).content.decode()
    assert 'id="agreement-table"' in page and "Démocratie directe" in page


def test_a_transcript_excerpt_counts_for_the_paragraphs_it_overlaps(run, die_session, codes):
    paragraph_units = themeruns.human_coding(run)
    expected = {f"s{die_session.pk}p{i}" for i, (start, end, _t) in enumerate(themeruns.paragraphs(die_session.transcript))
                if die_session.excerpts.filter(start__lt=end, end__gt=start).exists()}
    assert expected and expected <= set(paragraph_units)
    train = next(i for i, (_s, _e, text) in enumerate(themeruns.paragraphs(die_session.transcript)) if "Le train" in text)
    assert paragraph_units[f"s{die_session.pk}p{train}"] == {codes["Mobilités"].pk}


def test_published_runs_are_public_with_contribution_quotes_only(client, run):
    public = reverse("fieldwork:public_themes", kwargs={"slug": run.process.slug})
    assert run.label not in client.get(public).content.decode()
    run.published = True
    run.save()
    page = client.get(public).content.decode()
    assert run.label in page and Theme.objects.filter(run=run).first().label in page
    assert "[Jeune" not in page and "Animatrice" not in page  # transcript paragraphs are never quoted publicly


def test_a_run_on_too_few_texts_fails_with_its_reason(drome):
    failed = themeruns.start_run(drome, k=3, batches=[], transcripts=False)
    assert failed.status == ThemeRun.Status.FAILED and "at least 4" in failed.error
