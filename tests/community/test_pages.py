"""Public pages and the team's pages: taking part, calendar and iCal, attendance, ambassadors, directory."""

import datetime as dt
import io
from pathlib import Path

import icalendar
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from atout.community.models import Ambassador, EngagementEvent, Event, Registration, Story
from atout.territories.models import Territory


def _image(kind: str, size=(4, 3)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (230, 159, 0)).save(buffer, kind)
    return buffer.getvalue()


PNG = _image("PNG")
JPEG = _image("JPEG")


def _event(process, *, days=10, capacity=30, commune="26362"):
    start = timezone.now() + dt.timedelta(days=days)
    return Event.objects.create(process=process, title=f"Réunion à {commune}", start=start, end=start + dt.timedelta(hours=2),
                                commune=Territory.objects.get(level="commune", code=commune), venue="Mairie", capacity=capacity)


def test_participate_lists_open_conversations_and_events_near_the_commune(client, drome):
    near, far = _event(drome, commune="26362"), _event(drome, commune="26113")
    page = client.get(f"/communaute/{drome.slug}/participer/", {"commune": "Valence"}).content.decode()
    assert "Qu&#x27;est-ce qui rendrait la Drôme plus attractive ?" in page
    assert near.title in page and far.title not in page
    # "Valence" is also a commune of Charente and of Tarn-et-Garonne: the process's own commune wins.
    everything = client.get(f"/communaute/{drome.slug}/participer/").content.decode()
    assert near.title in everything and far.title in everything


def test_the_ical_feed_is_valid_icalendar(client, drome):
    event = _event(drome)
    response = client.get(f"/communaute/{drome.slug}/evenements.ics")
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    (vevent,) = [c for c in calendar.walk("VEVENT") if str(c["SUMMARY"]) == event.title]
    assert vevent["DTSTART"].dt == event.start.replace(microsecond=0)  # iCalendar has whole seconds
    assert str(vevent["UID"]).startswith(f"event-{event.pk}@")
    assert calendar["VERSION"] == "2.0" and "PRODID" in calendar
    assert b"\r\n" in response.content  # RFC 5545 line endings


def test_attendance_is_taken_on_a_plain_form(client, drome, users):
    event = _event(drome, days=-1)
    a = Registration.objects.create(event=event, name="A", email="a@example.org", status="confirmed")
    Registration.objects.create(event=event, name="B", email="b@example.org", status="confirmed")
    client.force_login(users["facilitator"])
    url = f"/communaute/{drome.slug}/evenements/{event.pk}/presences/"
    page = client.get(url).content.decode()
    assert 'type="checkbox" name="present"' in page and "<script" not in page.split("<main")[1]
    assert client.post(url, {"present": [str(a.pk)]}).status_code == 302
    assert list(event.registrations.filter(attended=True).values_list("name", flat=True)) == ["A"]
    assert EngagementEvent.objects.filter(process=drome, source_id=a.pk, channel="event").count() == 1


def test_a_story_photo_is_checked_by_its_content_and_size(client, drome, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(users["participant"])
    url = f"/communaute/{drome.slug}/ambassadeurs/"
    assert client.post(url + "devenir/", {"display_name": "Hab.", "kind": "resident", "commune": "26362",
                                          "consent_publish": "on"}).status_code == 302
    fake = SimpleUploadedFile("photo.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    response = client.post(url + "recit/", {"title": "T", "text": "Texte", "photo": fake, "consent_publish": "on"})
    assert response.status_code == 400 and "pas une photo" in response.content.decode()
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (5 * 1024 * 1024), content_type="image/png")
    assert "trop lourde" in client.post(url + "recit/", {"title": "T", "text": "x", "photo": big, "consent_publish": "on"}).content.decode()
    no_consent = client.post(url + "recit/", {"title": "T", "text": "x"})
    assert no_consent.status_code == 400
    good = SimpleUploadedFile("ok.png", PNG, content_type="image/png")
    assert client.post(url + "recit/", {"title": "Ma Drôme", "text": "x", "photo": good, "consent_publish": "on"}).status_code == 302
    story = Story.objects.get(title="Ma Drôme")
    photo_url = f"{url}photo/{story.pk}/"
    assert client.get(photo_url).status_code == 404  # not published yet
    Story.objects.filter(pk=story.pk).update(status="published")
    response = client.get(photo_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_a_story_photo_is_stored_under_the_extension_of_its_content(client, drome, users, settings, tmp_path):
    """Whatever its name (« photo.html » here), a photo is stored as .png or .jpg, by its content, under a
    generated name: a web server serving the media folder by extension never sees an HTML file."""
    settings.MEDIA_ROOT = tmp_path
    client.force_login(users["participant"])
    url = f"/communaute/{drome.slug}/ambassadeurs/"
    client.post(url + "devenir/", {"display_name": "Hab.", "kind": "resident", "commune": "26362", "consent_publish": "on"})
    for title, name, content, suffix in [("A", "photo.html", PNG, ".png"), ("B", "vue.png", JPEG, ".jpg"),
                                         ("C", "../../sans-extension", JPEG, ".jpg")]:
        photo = SimpleUploadedFile(name, content, content_type="text/html")
        response = client.post(url + "recit/", {"title": title, "text": "x", "photo": photo, "consent_publish": "on"})
        assert response.status_code == 302
        stored = Path(Story.objects.get(title=title).photo.path)
        assert stored.suffix == suffix and stored.read_bytes() == content
        assert stored.parent == tmp_path / "community" / "stories"
        assert Path(name).stem not in stored.name


def test_a_story_photo_declaring_too_many_pixels_is_refused(client, drome, users, settings, tmp_path):
    from tests.web.test_uploads import png_declaring

    settings.MEDIA_ROOT = tmp_path
    client.force_login(users["participant"])
    url = f"/communaute/{drome.slug}/ambassadeurs/"
    client.post(url + "devenir/", {"display_name": "Hab.", "kind": "resident", "commune": "26362", "consent_publish": "on"})
    bomb = SimpleUploadedFile("bombe.png", png_declaring(60000, 60000), content_type="image/png")
    response = client.post(url + "recit/", {"title": "Bombe", "text": "x", "photo": bomb, "consent_publish": "on"})
    assert response.status_code == 400
    assert "image trop grande (60000 × 60000 pixels" in response.content.decode().replace("\u202f", " ").replace("\xa0", " ")
    assert not Story.objects.filter(title="Bombe").exists()


def test_the_wall_counts_approved_ambassadors_by_category_and_subterritory(client, drome):
    valence = Territory.objects.get(level="commune", code="26362")
    for kind in ("business", "business", "athlete"):
        Ambassador.objects.create(process=drome, display_name="X", kind=kind, commune=valence, status="approved")
    Ambassador.objects.create(process=drome, display_name="Y", kind="business", commune=valence, status="pending")
    page = client.get(f"/communaute/{drome.slug}/ambassadeurs/")
    by_kind = dict((str(label), n) for label, n in page.context["by_kind"])
    assert by_kind["Chef·fe d'entreprise"] >= 2
    zone_counts = {zone.code: n for zone, n in page.context["by_zone"]}
    assert zone_counts["vallee-du-rhone"] >= 3


def test_the_team_imports_the_directory_from_the_page(client, drome, users):
    client.force_login(users["team"])
    url = f"/communaute/{drome.slug}/acteurs/"
    bad = SimpleUploadedFile("acteurs.csv", b"organisation,kind,commune\nFerme,farm,26362\n")
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    assert "line 2" in response.content.decode() and "farm" in response.content.decode()
    good = SimpleUploadedFile("acteurs.csv", b"organisation,kind,sector,commune\nFerme du Vercors,company,Agriculture biologique,26113\n")
    assert client.post(url, {"file": good}).status_code == 302
    page = client.get(url).content.decode()
    assert "Ferme du Vercors" in page
    assert "CC du Diois" in page and "Diois et Vallée de la Drôme" in page  # commune → EPCI → sub-territory


def test_the_stakeholders_cli_imports_and_reports_rows(tmp_path, drome):
    import json

    import pytest
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "acteurs.csv"
    path.write_text(
        "organisme;type;secteur;commune;prenom;nom;courriel;categorie;finalite;date_consentement;source_consentement;version_texte\n"
        "Maroquinerie A;company;luxe-cuir;26281;Jeanne;Morel;jeanne@example.org;business;annuaire;2026-01-10;formulaire;v1\n"
        "Maroquinerie A;company;luxe-cuir;26281;Jeane;Morel;;business;annuaire;10/01/2026;formulaire;v1\n"
        "Club;sports_club;sport;26362;Paul;Roux;jeanne@example.org;athlete;annuaire;2026-01-10;salon;v1\n",
        encoding="utf-8")
    out = io.StringIO()
    call_command("stakeholders", "import", str(path), "--process", drome.slug, "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert (data["rows"], data["organisations"], data["contacts"]) == (3, 2, 3)
    reasons = sorted(d["reason"] for d in data["duplicates"] if d["kind"] == "contact")
    assert reasons == ["email", "name"]
    path.write_text("organisme;type;commune;nom;categorie\nX;company;99999;Dupont;business\n", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("stakeholders", "import", str(path), "--process", drome.slug, stdout=io.StringIO())
    message = str(error.value)
    assert "line 2" in message and "consent_date" in message
