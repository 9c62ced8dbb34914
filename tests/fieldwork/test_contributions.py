"""Contributions import: the real Decidim (Lille) and pol.is files, a generic CSV, and
all-or-nothing failures naming line and column — through the CLI and the team's upload page."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from atout.fieldwork.models import Contribution, ContributionImport

DECIDIM = ["commentaires_debats.csv", "commentaires_propositions.csv", "debats.csv", "propositions.csv"]


def rows_in(path, delimiter) -> int:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return sum(1 for _ in csv.reader(handle, delimiter=delimiter)) - 1


def run(*args) -> dict:
    out = io.StringIO()
    call_command("contributions", "import", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("name", DECIDIM)
def test_each_decidim_export_is_imported_whole(drome, data_dir, name):
    path = data_dir / "consultation" / "decidim-lille" / name
    result = run(str(path), "--process", drome.slug, "--format", "decidim")
    assert result["contributions"] == rows_in(path, ";") == Contribution.objects.filter(batch_id=result["import"]).count()
    assert result["file"] == name and result["process"] == "drome"
    batch = ContributionImport.objects.get(pk=result["import"])
    assert batch.platform == "decidim" and batch.count == result["contributions"]


def test_decidim_comments_keep_their_metadata(drome, data_dir):
    path = data_dir / "consultation" / "decidim-lille" / "commentaires_debats.csv"
    result = run(str(path), "--process", drome.slug, "--format", "decidim", "--label", "Lille")
    assert result["kinds"] == {"comment": 693}
    comments = Contribution.objects.filter(batch_id=result["import"])
    assert set(comments.values_list("alignment", flat=True)) <= {-1, 0, 1}
    assert comments.exclude(parent_external_id="").exists() and comments.filter(thread__startswith="debate:").exists()
    # A pseudonym, or the platform's numeric author id when the export has no name: never a real name.
    assert all(c.author.startswith("participant-") or c.author.isdigit() for c in comments)
    assert comments.filter(created_at__isnull=False).count() == 693


@pytest.mark.parametrize("conversation", ["15-per-hour-seattle", "vtaiwan.uberx"])
def test_polis_comments_are_imported_whole(drome, data_dir, conversation):
    path = data_dir / "consultation" / "polis" / conversation / "comments.csv"
    result = run(str(path), "--process", drome.slug, "--format", "polis")
    assert result["contributions"] == rows_in(path, ",")
    stored = Contribution.objects.filter(batch_id=result["import"])
    assert stored.count() == result["contributions"]
    assert all(c.author.startswith("participant-") and c.created_at is not None for c in stored[:20])


def test_a_generic_csv_keeps_its_ids_and_segment_columns(drome, tmp_path):
    path = tmp_path / "avis.csv"
    path.write_text("ref;avis;zone\nA1;Plus de trains vers Die;Diois\nA2;Des médecins à Nyons;Drôme provençale\n",
                    encoding="utf-8")
    result = run(str(path), "--process", drome.slug, "--format", "csv", "--text-column", "avis", "--id-column", "ref",
                 "--segment-column", "zone")
    stored = {c.external_id: c for c in Contribution.objects.filter(batch_id=result["import"])}
    assert set(stored) == {"A1", "A2"}
    assert stored["A2"].text == "Des médecins à Nyons" and stored["A2"].segments == {"zone": "Drôme provençale"}


def test_a_bad_file_imports_nothing_and_names_the_lines(drome, data_dir, tmp_path):
    source = (data_dir / "consultation" / "decidim-lille" / "commentaires_propositions.csv").read_text(encoding="utf-8-sig")
    lines = source.splitlines()
    header = lines[0].split(";")
    broken = lines[1].split(";")
    broken[header.index("alignment")] = "2"
    path = tmp_path / "comments.csv"
    path.write_text("\n".join([lines[0], ";".join(broken), *lines[2:]]) + "\n", encoding="utf-8")
    before = Contribution.objects.count()
    with pytest.raises(CommandError) as error:
        run(str(path), "--process", drome.slug, "--format", "decidim")
    assert "line 2" in str(error.value) and "alignment" in str(error.value)
    assert Contribution.objects.count() == before and not ContributionImport.objects.filter(file_name="comments.csv").exists()


def test_a_csv_without_the_text_column_names_the_column(drome, tmp_path):
    path = tmp_path / "avis.csv"
    path.write_text("id,texte\n1,Bonjour\n", encoding="utf-8")
    with pytest.raises(CommandError, match="'avis' not found"):
        run(str(path), "--process", drome.slug, "--format", "csv", "--text-column", "avis")
    with pytest.raises(CommandError, match="no process with slug 'nulle-part'"):
        run(str(path), "--process", "nulle-part", "--format", "csv", "--text-column", "texte")


def test_the_team_uploads_a_polis_file_on_the_page(client, users, drome, data_dir):
    from django.core.files.uploadedfile import SimpleUploadedFile

    path = data_dir / "consultation" / "polis" / "15-per-hour-seattle" / "comments.csv"
    target = reverse("fieldwork:contributions", kwargs={"slug": drome.slug})
    client.force_login(users["facilitator"])
    assert client.get(target).status_code == 403
    client.force_login(users["team"])
    response = client.post(target, {"file": SimpleUploadedFile("comments.csv", path.read_bytes()), "platform": "polis",
                                    "label": "Seattle (pol.is)"})
    assert response.status_code == 302
    batch = ContributionImport.objects.get(label="Seattle (pol.is)")
    assert batch.count == rows_in(path, ",") and batch.file_name == "comments.csv"
    bad = client.post(target, {"file": SimpleUploadedFile("x.csv", b"a;b\n1;2\n"), "platform": "csv", "text_column": "texte"})
    assert bad.status_code == 400 and "x.csv" in bad.content.decode() and "texte" in bad.content.decode()
