"""The positioning (brand platform) edited in the product and versioned: each save that changes something is
a new version with its author and date, the history shows them, the journal records the change; only the
team edits; nothing is saved from an invalid form."""

from django.urls import reverse
from django.utils.html import escape

from atout.core.models import AuditEntry
from atout.strategy import positioning
from atout.strategy.models import Positioning, PositioningVersion


def url(name, **kwargs):
    return reverse(f"strategy:{name}", kwargs={"slug": "drome", **kwargs})


def form(**changes) -> dict:
    from atout.processes.models import Process

    data = positioning.current(Process.objects.get(slug="drome"))
    data.update(changes)
    return data


def test_each_save_is_a_new_version_with_its_author(client, users, example):
    demo = Positioning.objects.get(process=example)
    before = {name: getattr(demo, name) for name in ("ambition", "promise")}
    client.force_login(users["team"])
    strategy = client.get(url("strategy")).content.decode()
    assert url("positioning_edit") in strategy and url("positioning_history") in strategy
    page = client.get(url("positioning_edit")).content.decode()
    assert escape(before["ambition"][:40]) in page  # the form starts from the platform in force

    response = client.post(url("positioning_edit"), form(ambition="Une Drôme où l'on vient vivre et travailler.",
                                                         note="Ambition resserrée après l'atelier"))
    assert response.status_code == 302 and response.url == url("positioning_history")
    versions = list(PositioningVersion.objects.filter(process=example).order_by("number"))
    # The demo's platform is kept as version 1 (no author), the team's save is version 2.
    assert [(v.number, v.created_by) for v in versions] == [(1, None), (2, users["team"])]
    assert versions[0].ambition == before["ambition"]
    assert versions[1].ambition == "Une Drôme où l'on vient vivre et travailler."
    assert versions[1].promise == before["promise"] and versions[1].note == "Ambition resserrée après l'atelier"
    demo.refresh_from_db()
    assert demo.ambition == versions[1].ambition and not demo.example

    client.post(url("positioning_edit"), form(promise="Ici, vos projets trouvent de la place."))
    assert PositioningVersion.objects.filter(process=example).count() == 3
    # Saving without a change makes no empty version.
    client.post(url("positioning_edit"), form())
    assert PositioningVersion.objects.filter(process=example).count() == 3

    history = client.get(url("positioning_history")).content.decode()
    assert "Version 3" in history and "Version 2" in history and "Version 1" in history
    assert "Enregistrée par equipe le" in history and "Ambition resserrée après l&#x27;atelier" in history
    assert "Modifié : promesse." in history
    public = client.get(url("strategy")).content.decode()
    assert "Ici, vos projets trouvent de la place." in public


def test_the_journal_records_who_changed_the_platform(client, users, example):
    client.force_login(users["team"])
    client.post(url("positioning_edit"), form(values="Audace, accueil, sobriété"))
    entry = AuditEntry.objects.filter(object_type="strategy.Positioning").latest("pk")
    assert entry.username == "equipe" and entry.process_id == example.pk
    assert entry.changes["values"][1] == "Audace, accueil, sobriété"
    assert AuditEntry.objects.filter(object_type="strategy.PositioningVersion", username="equipe").exists()


def test_an_empty_platform_is_refused_and_nothing_saved(client, users, example):
    client.force_login(users["team"])
    empty = {"ambition": " ", "values": "", "promise": "", "audiences": "", "key_messages": ""}
    response = client.post(url("positioning_edit"), empty)
    assert response.status_code == 400
    assert "ne peut pas être vide" in response.content.decode()
    assert not PositioningVersion.objects.filter(process=example).exists()
    assert Positioning.objects.get(process=example).ambition


def test_a_first_platform_written_in_the_product(client, users, blank_drome):
    client.force_login(users["team"])
    assert url("positioning_edit") in client.get(url("strategy")).content.decode()
    client.post(url("positioning_edit"), {"ambition": "Première ambition", "values": "", "promise": "", "audiences": "",
                                          "key_messages": ""})
    assert Positioning.objects.get(process=blank_drome).ambition == "Première ambition"
    assert list(PositioningVersion.objects.filter(process=blank_drome).values_list("number", flat=True)) == [1]


def test_only_the_team_edits(client, users, example):
    for role, status in (("participant", 403), ("facilitator", 403)):
        client.force_login(users[role])
        assert client.get(url("positioning_edit")).status_code == status
        assert client.post(url("positioning_edit"), form(ambition="Piratage")).status_code == status
        assert client.get(url("positioning_history")).status_code == status
        assert url("positioning_edit") not in client.get(url("strategy")).content.decode()
    client.logout()
    assert client.get(url("positioning_edit")).status_code == 302
    assert "Piratage" not in Positioning.objects.get(process=example).ambition
    assert not PositioningVersion.objects.exists()


def test_the_api_gives_the_platform_and_the_team_its_versions(client, users, example):
    from atout.api.tokens import create_token

    client.force_login(users["team"])
    client.post(url("positioning_edit"), form(promise="Une promesse tenue"))
    client.logout()
    public = client.get("/api/v1/processes/drome/positioning").json()
    assert public["promise"] == "Une promesse tenue" and public["versions"] is None
    key = create_token(users["team"], "équipe", "read")[1]
    team = client.get("/api/v1/processes/drome/positioning", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert [(v["number"], v["author"]) for v in team["versions"]] == [(2, "equipe"), (1, None)]
    assert team["versions"][0]["promise"] == "Une promesse tenue"
