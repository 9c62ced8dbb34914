import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

from django.urls import reverse

from atout.opinion.models import Conversation, Statement, Vote


def zip_of(folder, names=("summary.csv", "comments.csv", "votes.csv", "participants-votes.csv")):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.write(folder / name, arcname=f"export/{name}")
    buffer.seek(0)
    buffer.name = "export.zip"
    return buffer


def test_the_team_imports_a_real_polis_conversation(client, drome, users, data_dir):
    client.force_login(users["team"])
    folder = data_dir / "consultation/polis/15-per-hour-seattle"
    response = client.post(reverse("opinion:import", kwargs={"slug": "drome"}), {"slug": "seattle", "archive": zip_of(folder)})
    assert response.status_code == 302
    conversation = Conversation.objects.get(process=drome, slug="seattle")
    with (folder / "comments.csv").open(encoding="utf-8", newline="") as handle:
        n_comments = sum(1 for _ in csv.DictReader(handle))
    assert conversation.statements.count() == n_comments
    assert conversation.statements.filter(status=Statement.Status.REJECTED).exists()
    assert conversation.latest_analysis().result["groups"]
    assert "pol.is open data" in conversation.source


def test_an_incomplete_archive_is_refused_with_the_missing_file_and_imports_nothing(client, drome, users, data_dir):
    client.force_login(users["team"])
    folder = data_dir / "consultation/polis/15-per-hour-seattle"
    response = client.post(reverse("opinion:import", kwargs={"slug": "drome"}),
                           {"slug": "seattle", "archive": zip_of(folder, names=("summary.csv", "comments.csv"))})
    assert response.status_code == 400
    assert "votes.csv" in response.content.decode()
    assert not Conversation.objects.filter(slug="seattle").exists()


def test_a_file_that_is_not_a_zip_is_refused(client, drome, users):
    client.force_login(users["team"])
    upload = io.BytesIO(b"not a zip")
    upload.name = "export.zip"
    response = client.post(reverse("opinion:import", kwargs={"slug": "drome"}), {"slug": "x", "archive": upload})
    assert response.status_code == 400
    assert "archive .zip" in response.content.decode()


def test_the_team_imports_the_servers_report_export(client, drome, users):
    # pol.is's report export (server/src/report.ts): participant-votes.csv, timestamps in seconds
    folder = Path(__file__).resolve().parents[1] / "fixtures" / "polis" / "report-export"
    client.force_login(users["team"])
    archive = zip_of(folder, names=("summary.csv", "comments.csv", "votes.csv", "participant-votes.csv",
                                    "comment-groups.csv"))
    response = client.post(reverse("opinion:import", kwargs={"slug": "drome"}), {"slug": "rapport", "archive": archive})
    assert response.status_code == 302, response.content.decode()[-2000:]
    conversation = Conversation.objects.get(process=drome, slug="rapport")
    assert conversation.statements.count() == 8
    first = conversation.statements.get(number=0)
    assert first.created == dt.datetime(2024, 9, 20, 19, 29, 43, tzinfo=dt.UTC)  # seconds read as seconds
    assert Vote.objects.filter(statement__conversation=conversation).count() == 98
    assert sorted(g["size"] for g in conversation.latest_analysis().result["groups"]) == [6, 8]
