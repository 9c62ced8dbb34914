"""Stakeholder prioritisation: 100 points across the orientations, results overall and by segment."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from atout.strategy.models import Allocation, Orientation
from atout.strategy.services import allocation_results, record_allocation


def url(name):
    return reverse(f"strategy:{name}", kwargs={"slug": "drome"})


def test_a_participant_spreads_exactly_100_points(client, users, example):
    orientations = list(Orientation.objects.filter(process=example))
    assert len(orientations) == 3
    client.force_login(users["participant"])
    fields = {f"o{o.pk}": p for o, p in zip(orientations, [50, 30, 10], strict=True)}
    response = client.post(url("prioritise"), {**fields, "segment": "resident"})
    assert response.status_code == 400 and "vous en avez réparti 90" in response.content.decode()
    assert not Allocation.objects.exists()
    fields[f"o{orientations[2].pk}"] = 20
    assert client.post(url("prioritise"), {**fields, "segment": "resident"}).status_code == 302
    assert client.post(url("prioritise"), {**fields, "segment": "young"}).status_code == 302  # replaces
    assert Allocation.objects.filter(user=users["participant"]).count() == 3
    assert set(Allocation.objects.values_list("segment", flat=True)) == {"young"}


def test_results_are_means_with_small_segments_hidden(example):
    orientations = list(Orientation.objects.filter(process=example))
    User = get_user_model()
    for i in range(12):
        user = User.objects.create(username=f"votant{i}")
        points = [100, 0, 0] if i < 10 else [0, 50, 50]
        record_allocation(example, user, dict(zip(orientations, points, strict=True)), "resident" if i < 10 else "business")
    results = allocation_results(example)
    assert results["respondents"] == 12
    means = [r["mean"] for r in results["rows"]]
    assert means == [1000 / 12, 100 / 12, 100 / 12]
    assert abs(sum(r["share"] for r in results["rows"]) - 1) < 1e-12
    by_label = {s["label"]: s for s in results["segments"]}
    assert by_label["Habitant·e"]["means"] == [100, 0, 0]
    assert by_label["Chef·fe d'entreprise"]["means"] == [None, None, None]  # 2 people: hidden


def test_the_results_page_is_public(client, example):
    assert client.get(url("priorities")).status_code == 200
    response = client.get(url("prioritise"))
    assert response.status_code == 302  # sign in first
