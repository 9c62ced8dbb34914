import csv
import io
import zipfile

from django.urls import reverse

from atout.opinion.models import Conversation, Statement


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
