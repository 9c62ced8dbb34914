"""Stakeholder prioritisation by ranking, the segment-balanced reading, the mode chosen by the team,
the compass weights from priorities and ``atout strategy priorities``."""

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from atout.strategy.models import Allocation, Orientation, PrioritisationSettings, Ranking
from atout.strategy.services import (
    allocation_results,
    composite_weights,
    pillar_weights,
    priority_shares,
    ranking_problem,
    ranking_results,
    record_allocation,
    record_ranking,
)
from tests.diagnostic.conftest import statistics  # noqa: F401 (fixture)


def url(name):
    return reverse(f"strategy:{name}", kwargs={"slug": "drome"})


def people(prefix, count):
    User = get_user_model()
    return [User.objects.create(username=f"{prefix}{i}") for i in range(count)]


def rank_of(orientations, order):
    """{orientation: rank} from the orientation indexes in order of preference."""
    return {orientations[i]: position + 1 for position, i in enumerate(order)}


def test_the_ranking_form_wants_a_permutation(client, users, example):
    orientations = list(Orientation.objects.filter(process=example))
    PrioritisationSettings.objects.update_or_create(process=example, defaults={"mode": "ranking"})
    client.force_login(users["participant"])
    fields = {f"r{o.pk}": r for o, r in zip(orientations, [1, 1, 3], strict=True)}
    response = client.post(url("rank"), {**fields, "segment": "resident"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "rang 1 donné plusieurs fois, rang 2 manquant" in html
    assert not Ranking.objects.exists()
    fields[f"r{orientations[0].pk}"] = 4  # out of range: not a choice
    response = client.post(url("rank"), fields)
    assert response.status_code == 400 and "Sélectionnez un choix valide. 4 n’en fait pas partie." in response.content.decode()
    del fields[f"r{orientations[0].pk}"]
    assert "Donnez un rang à cette orientation." in client.post(url("rank"), fields).content.decode()
    fields = {f"r{o.pk}": r for o, r in zip(orientations, [2, 3, 1], strict=True)}
    assert client.post(url("rank"), {**fields, "segment": "resident"}).status_code == 302
    assert client.post(url("rank"), {**fields, "segment": "young"}).status_code == 302  # replaces
    rows = Ranking.objects.filter(user=users["participant"])
    assert sorted(rows.values_list("rank", flat=True)) == [1, 2, 3]
    assert set(rows.values_list("segment", flat=True)) == {"young"}


def test_ranking_problems_are_named(example):
    assert ranking_problem([1, 2, 3], 3) == ""
    assert ranking_problem([1, 2], 3) == "give a rank to each of the 3 orientations"
    assert ranking_problem([1, 2, 5], 3) == "ranks go from 1 to 3: 5 is out of range"
    assert ranking_problem([2, 2, 1], 3) == "rank 2 given more than once (missing: 3)"
    orientations = list(Orientation.objects.filter(process=example))
    user = people("classeur", 1)[0]
    with pytest.raises(ValueError, match="rank 1 given more than once"):
        record_ranking(example, user, dict(zip(orientations, [1, 1, 2], strict=True)))
    with pytest.raises(ValueError, match="every orientation"):
        record_ranking(example, user, {orientations[0]: 1})
    assert not Ranking.objects.filter(user=user).exists()


def test_borda_scores_and_first_places(example):
    o = list(Orientation.objects.filter(process=example))
    # 10 residents: A > B > C; 2 business leaders: C > B > A.
    for user in people("habitant", 10):
        record_ranking(example, user, rank_of(o, [0, 1, 2]), "resident")
    for user in people("patron", 2):
        record_ranking(example, user, rank_of(o, [2, 1, 0]), "business")
    results = ranking_results(example)
    assert results["respondents"] == 12 and not results["simulated"]
    # Borda n − rank: A gets 2 from 10 people, 0 from 2; B always 1; C 0 from 10, 2 from 2.
    assert [r["borda"] for r in results["rows"]] == [20 / 12, 1.0, 4 / 12]
    assert [r["first_places"] for r in results["rows"]] == [10 / 12, 0.0, 2 / 12]
    shares = [r["share"] for r in results["rows"]]
    assert shares == pytest.approx([20 / 36, 12 / 36, 4 / 36]) and sum(shares) == pytest.approx(1)
    by_label = {s["label"]: s for s in results["segments"]}
    assert by_label["Habitant·e"]["borda"] == [2.0, 1.0, 0.0] and by_label["Habitant·e"]["first_places"] == [1.0, 0, 0]
    assert by_label["Chef·fe d'entreprise"]["n"] == 2
    assert by_label["Chef·fe d'entreprise"]["borda"] == [None, None, None]  # small cell hidden
    assert by_label["Chef·fe d'entreprise"]["first_places"] == [None, None, None]


def test_the_segment_balanced_reading(example):
    o = list(Orientation.objects.filter(process=example))
    # 30 residents all on A, 10 business leaders all on B, 5 people without a profile and 3 elected all on C.
    for user in people("habitant", 30):
        record_allocation(example, user, dict(zip(o, [100, 0, 0], strict=True)), "resident")
    for user in people("patron", 10):
        record_allocation(example, user, dict(zip(o, [0, 100, 0], strict=True)), "business")
    for user in people("anonyme", 5):
        record_allocation(example, user, dict(zip(o, [0, 0, 100], strict=True)), "")
    for user in people("elu", 3):
        record_allocation(example, user, dict(zip(o, [0, 0, 100], strict=True)), "elected")
    results = allocation_results(example)
    assert [r["mean"] for r in results["rows"]] == pytest.approx([3000 / 48, 1000 / 48, 800 / 48])
    balanced = results["balanced"]
    assert balanced["segments"] == [{"label": "Habitant·e", "n": 30}, {"label": "Chef·fe d'entreprise", "n": 10}]
    assert balanced["respondents"] == 40
    assert [r["mean"] for r in balanced["rows"]] == [50.0, 50.0, 0.0]
    assert [r["share"] for r in balanced["rows"]] == [0.5, 0.5, 0.0]
    assert priority_shares(example, reading="balanced") == {o[0].pk: 0.5, o[1].pk: 0.5, o[2].pk: 0.0}
    html = _priorities_page(example)
    assert "Profils à égalité :" in html and "Habitant·e (n = 30), Chef·fe d&#x27;entreprise (n = 10)" in html


def _priorities_page(process):
    from django.test import Client

    return Client().get(url("priorities")).content.decode()


def test_pillar_weights_rule():
    pillars = ["a", "b", "c", "d"]
    # Orientations 1 and 2 → pillar a, 3 → b, 4 has no pillar; c and d have no orientation.
    weights = pillar_weights({1: 0.2, 2: 0.1, 3: 0.6, 4: 0.1}, {1: "a", 2: "a", 3: "b"}, pillars)
    assert weights == pytest.approx({"a": 0.5 * 0.3 / 0.9, "b": 0.5 * 0.6 / 0.9, "c": 0.25, "d": 0.25})
    assert sum(weights.values()) == pytest.approx(1)
    assert pillar_weights({1: 0.5}, {}, pillars) == {}
    assert pillar_weights({1: 0.0}, {1: "a"}, pillars) == {}


def test_the_mode_is_chosen_by_the_team(client, users, example):
    PrioritisationSettings.objects.filter(process=example).delete()  # the demo offers both
    assert "Classer les orientations" not in client.get(url("priorities")).content.decode()  # points by default
    client.force_login(users["participant"])
    assert client.post(url("prioritisation_mode"), {"mode": "both"}).status_code == 403
    assert not PrioritisationSettings.objects.exists()
    client.force_login(users["team"])
    assert client.post(url("prioritisation_mode"), {"mode": "both"}).status_code == 302
    assert PrioritisationSettings.objects.get(process=example).mode == "both"
    html = client.get(url("priorities")).content.decode()
    assert "Répartir mes 100 points" in html and "Classer les orientations" in html and "Mode de priorisation" in html


def test_the_demo_has_simulated_priorities_and_they_weight_the_compass(client, drome, statistics):  # noqa: F811
    """The Drôme demo (session fixture, strategy demo step): simulated allocations and rankings, both modes."""
    assert Allocation.objects.filter(process=drome, simulated=True).values("user").distinct().count() == 200
    assert Ranking.objects.filter(process=drome, simulated=False).count() == 0
    html = client.get(url("priorities")).content.decode()
    assert "Données simulées" in html and "Borda moyen" in html and "Profils à égalité" in html
    weights = composite_weights(drome)
    assert sum(weights.values()) == pytest.approx(1) and len(weights) == 6
    # Three pillars have an orientation, three keep the equal weight 1/6.
    assert sorted(round(w, 6) for w in weights.values()).count(round(1 / 6, 6)) == 3
    assert weights["resident_well_being"] > weights["connectedness"]
    compass = reverse("diagnostic:compass", kwargs={"slug": "drome"})
    equal = client.get(compass).content.decode()
    weighted = client.get(compass + "?ponderation=priorites").content.decode()
    assert "Poids des domaines dans l'indice : égaux" in equal
    assert "Poids des domaines dans l'indice : selon les priorités des acteurs" in weighted
    assert 'value="priorites" checked' in weighted
    import re

    from atout.diagnostic import analysis
    from atout.diagnostic.catalogue_store import current_catalogue
    from atout.diagnostic.compass import INDEX
    from atout.diagnostic.compass import compass as build_compass

    plain = build_compass(analysis.ptod_table(), current_catalogue(), "26", runs=20)
    by_priorities = build_compass(analysis.ptod_table(), current_catalogue(), "26", runs=20, weights=weights)
    assert all(w == pytest.approx(1 / len(plain.domains)) for w in plain.weights.values())
    assert by_priorities.weights == pytest.approx({d: weights[d] / sum(weights[x] for x in plain.domains)
                                                  for d in plain.domains})
    # Same domain scores; the index is their mean weighted by the priorities, so it differs.
    assert by_priorities.scores == pytest.approx({**plain.scores, INDEX: by_priorities.scores[INDEX]})
    expected = sum(by_priorities.weights[d] * by_priorities.scores[d] for d in plain.domains)
    assert by_priorities.scores[INDEX] == pytest.approx(expected)
    assert abs(by_priorities.scores[INDEX] - plain.scores[INDEX]) > 1e-3
    shown = re.findall(r'<td class="num compass-weight">([^<]+)</td>', weighted)
    equal_shown = re.findall(r'<td class="num compass-weight">([^<]+)</td>', equal)
    assert len(shown) == len(equal_shown) >= 3 and len(set(equal_shown)) == 1 and len(set(shown)) > 1


def test_the_compass_falls_back_to_equal_weights_without_priorities(client, drome, statistics):  # noqa: F811
    Orientation.objects.filter(process=drome).update(domain="")
    html = client.get(reverse("diagnostic:compass", kwargs={"slug": "drome"}) + "?ponderation=priorites").content.decode()
    assert "pondération égale affichée" in html and 'value="egale" checked' in html


def test_the_priorities_command(drome):
    out = StringIO()
    call_command("strategy", "priorities", "--process", "drome", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["mode"] == "both" and result["simulated"] is True
    assert result["respondents"] == {"points": 200, "ranking": 200}
    assert len(result["orientations"]) == 3
    assert sum(o["share"] for o in result["orientations"]) == pytest.approx(1, abs=1e-3)
    assert sum(o["first_places"] for o in result["orientations"]) == pytest.approx(1, abs=1e-3)
    assert {o["pillar"] for o in result["orientations"]} == {"economic_attractiveness", "resident_well_being", "connectedness"}
    elected = next(s for s in result["segments"]["points"] if s["label"] == "Élu·e")
    assert elected["n"] == 6 and elected["suppressed"] is True
    assert [s["label"] for s in result["balanced"]["points"]["segments"]] == ["Habitant·e", "Jeune (moins de 30 ans)", "Chef·fe d'entreprise"]
    assert sum(result["composite_weights"].values()) == pytest.approx(1, abs=1e-3)
    out = StringIO()
    call_command("strategy", "priorities", "--process", "drome", "--reading", "balanced", "--json", stdout=out)
    assert json.loads(out.getvalue())["composite_weights"] != result["composite_weights"]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no process 'nowhere'"):
        call_command("strategy", "priorities", "--process", "nowhere", "--json")
