"""``atout themes analyze``: the JSON contract, on the Lille Decidim export read as published."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def analyze(*args):
    out = io.StringIO()
    call_command("themes", "analyze", *[str(a) for a in args], stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def comments_path(data_dir):
    return data_dir / "consultation" / "decidim-lille" / "commentaires_debats.csv"


@pytest.fixture(scope="module")
def lille_output(comments_path):
    return analyze(comments_path, "--text-column", "body", "--format", "decidim", "--json")


def test_it_prints_themes_and_answers_for_the_decidim_comments(lille_output):
    themes = lille_output["themes"]
    assert 4 <= len(themes) <= 15
    for theme in themes:
        assert {"id", "label", "terms", "size", "quotes"} <= set(theme)
        assert isinstance(theme["id"], int) and theme["label"] and len(theme["terms"]) == 10
        assert theme["size"] > 0 and 1 <= len(theme["quotes"]) <= 3
    answers = lille_output["answers"]
    assert len(answers) == 693 and "515" in answers
    ids = {t["id"] for t in themes}
    assert all(set(v) <= ids for v in answers.values())
    assert any(len(v) >= 2 for v in answers.values())
    for theme in themes:
        assert theme["size"] == sum(theme["id"] in v for v in answers.values())
    assert lille_output["source"] == {"file": "commentaires_debats.csv", "format": "decidim", "answers": 693}
    assert lille_output["quality"]["coherence_npmi"] > 0


def test_it_detects_a_decidim_export_without_format(comments_path, lille_output):
    detected = analyze(comments_path, "--text-column", "body", "--json")
    assert detected["source"]["format"] == "decidim"
    assert detected["answers"] == lille_output["answers"]


def test_themes_and_seed_options(comments_path):
    six = analyze(comments_path, "--text-column", "body", "--themes", "6", "--seed", "3", "--json")
    assert len(six["themes"]) == 6 and six["seed"] == 3 and six["k_scores"] == []


def test_it_reads_a_generic_csv_with_segments(tmp_path):
    rows = ["id;texte;commune"]
    topics = ["Plus de pistes cyclables et de vélos en ville", "Baisser les impôts sur le revenu des ménages",
              "Reconnaître le vote blanc aux élections", "Sauver les services publics des petites communes"]
    for i in range(60):
        rows.append(f"r{i};{topics[i % 4]} {'et ' + topics[(i + 1) % 4].lower() if i % 3 == 0 else ''};"
                    f"{'Valence' if i % 2 else 'Die'}")
    path = tmp_path / "answers.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = analyze(path, "--text-column", "texte", "--id-column", "id", "--themes", "4", "--segment-column",
                  "commune", "--json")
    assert out["source"]["format"] == "csv"
    assert set(out["answers"]) == {f"r{i}" for i in range(60)}
    assert {row["value"] for row in out["spread"]} == {"Valence", "Die"}
    assert len(out["spread"]) == 4 * 2


def test_it_names_a_missing_text_column(tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text("id;texte\n1;bonjour\n", encoding="utf-8")
    with pytest.raises(CommandError, match="'text' not found"):
        analyze(path, "--text-column", "text", "--json")


def test_it_rejects_bad_options(comments_path, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        analyze(tmp_path / "absent.csv", "--text-column", "body", "--json")
    with pytest.raises(CommandError, match="--themes must be at least 1"):
        analyze(comments_path, "--text-column", "body", "--themes", "0", "--json")
    with pytest.raises(CommandError, match="not a Decidim text column"):
        analyze(comments_path, "--text-column", "corps", "--format", "decidim", "--json")


def test_it_explains_when_answers_are_too_few_to_find_themes(tmp_path):
    path = tmp_path / "tiny.csv"
    path.write_text("id,texte\n1,oui\n2,non\n3,peut-être\n", encoding="utf-8")
    with pytest.raises(CommandError, match="tiny.csv: the 3 answers share too few words"):
        analyze(path, "--text-column", "texte", "--json")
