"""Decidim open-data exports and generic contribution files read as published, all-or-nothing."""

import json

import pytest

from atout.engine.formats.contributions import read_contributions_csv, read_contributions_json
from atout.engine.formats.decidim import clean_text, is_decidim_file, read_decidim, read_decidim_folder
from atout.engine.formats.errors import FormatError

COMMENT_HEADER = (
    "id;created_at;body;author/id;author/name;alignment;depth;user_group/id;user_group/name/en;"
    "user_group/name/fr;commentable_id;commentable_type;root_commentable_url"
)
URL = "http://participation.example.fr/processes/p/f/1/debates/7"


@pytest.fixture(scope="module")
def lille(data_dir):
    return data_dir / "consultation" / "decidim-lille"


def write(tmp_path, text, name="comments.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def test_it_reads_the_lille_debate_comments_as_published(lille):
    comments = read_decidim(lille / "commentaires_debats.csv")
    assert len(comments) == 693
    assert len({c.id for c in comments}) == 693
    assert {c.alignment for c in comments} == {-1, 0, 1}
    first = comments[0]
    assert first.id == "515"
    assert first.text == "l'état devrait mieux écouter les maires des villes"
    assert first.author == "participant-1153"
    assert first.thread_id == "debate:23"
    assert first.created_at.isoformat() == "2019-01-17T10:38:20+01:00"


def test_it_keeps_multi_line_quoted_bodies_whole(lille):
    comments = {c.id: c for c in read_decidim(lille / "commentaires_debats.csv")}
    body = comments["485"].text
    assert body.startswith("Il est essentiel de créer un nouveau Pole de formation professionnel gratuit.\n")
    assert body.endswith("nouvelle vie professionnelle.")


def test_replies_name_their_parent_comment_and_their_debate(lille):
    comments = {c.id: c for c in read_decidim(lille / "commentaires_debats.csv")}
    reply = comments["486"]
    assert reply.parent_id == "484"
    assert reply.depth == 1
    assert reply.thread_id == "debate:15"
    assert comments["484"].parent_id is None


def test_it_reads_every_lille_export_and_cleans_html(lille):
    exports = read_decidim_folder(lille)
    assert {name: len(items) for name, items in exports.items()} == {
        "commentaires_debats.csv": 693, "commentaires_propositions.csv": 44, "debats.csv": 29, "propositions.csv": 196,
    }
    debates = {d.id: d for d in exports["debats.csv"]}
    assert debates["29"].text == "Transition écologique"  # was <p><strong>Transition écologique&nbsp;</strong></p>
    assert debates["30"].title == "Faut-il reconnaître le vote blanc ?"
    proposals = {p.id: p for p in exports["propositions.csv"]}
    assert proposals["418"].title == "Non au déploiement forcé des compteurs intelligents Linky"
    assert proposals["418"].segments["category"] == "Autre sujet"
    assert proposals["418"].text.startswith('L\'installation de ces compteurs "intelligents"')
    # Proposal comments have no author name: the author id stands in.
    assert exports["commentaires_propositions.csv"][0].author == "555"


def test_i18n_json_bodies_are_unwrapped_french_first():
    assert clean_text('{"en": "Hello", "fr": "<p>Bonjour&nbsp;à tous</p>"}') == "Bonjour à tous"
    assert clean_text('{"en": "Only English"}') == "Only English"
    assert clean_text("{pas du json}") == "{pas du json}"


def test_it_reports_every_bad_line_with_its_column(tmp_path):
    text = (
        COMMENT_HEADER + "\r\n"
        + f'1;2019-01-17 10:38:20 +0100;"deux\r\nlignes";9;participant-9;0;0;;;;7;Decidim::Debates::Debate;{URL}\r\n'
        + f"2;2019-01-17 10:38:20 +0100;texte;9;p;2;0;;;;7;Decidim::Debates::Debate;{URL}\r\n"
        + f"3;hier;texte;9;p;0;0;;;;7;Decidim::Debates::Debate;{URL}\r\n"
        + f"1;2019-01-17 10:38:20 +0100;doublon;9;p;0;0;;;;7;Decidim::Debates::Debate;{URL}\r\n"
    )
    with pytest.raises(FormatError) as caught:
        read_decidim(write(tmp_path, text))
    places = [(p.line, p.column) for p in caught.value.problems]
    # Line numbers are physical lines: record 1 spans lines 2-3, so record 2 starts on line 4.
    assert places == [(4, "alignment"), (5, "created_at"), (6, "id")]
    assert "comments.csv" in str(caught.value)
    assert "nothing was imported" in str(caught.value)


def test_it_rejects_a_file_that_is_not_a_decidim_export(tmp_path):
    path = write(tmp_path, "a;b\n1;2\n", "other.csv")
    assert not is_decidim_file(path)
    with pytest.raises(FormatError, match="not a Decidim open-data export"):
        read_decidim(path)


def test_it_names_a_missing_column(tmp_path):
    header = COMMENT_HEADER.replace(";depth", "")
    path = write(tmp_path, header + "\n")
    with pytest.raises(FormatError, match="missing column.*depth"):
        read_decidim(path, kind="comment")


def test_generic_csv_sniffs_the_separator_and_keeps_segments(tmp_path):
    path = write(tmp_path, "id;texte;commune\na1;Trop de voitures en ville;Valence\na2;Plus de vélos;Die\n", "answers.csv")
    answers = read_contributions_csv(path, "texte", "id", ["commune"])
    assert [(a.id, a.text, a.segments["commune"]) for a in answers] == [
        ("a1", "Trop de voitures en ville", "Valence"), ("a2", "Plus de vélos", "Die")]


def test_generic_csv_numbers_rows_without_an_id_column(tmp_path):
    path = write(tmp_path, "texte\nun\ndeux\n", "answers.csv")
    assert [a.id for a in read_contributions_csv(path, "texte")] == ["1", "2"]


def test_generic_csv_reports_missing_columns_and_duplicate_ids(tmp_path):
    path = write(tmp_path, "id,texte\n1,a\n1,b\n,c\n", "answers.csv")
    with pytest.raises(FormatError, match="'text' not found") as caught:
        read_contributions_csv(path, "text", "id")
    assert caught.value.column == "text"
    with pytest.raises(FormatError) as caught:
        read_contributions_csv(path, "texte", "id")
    assert [(p.line, p.message[:9]) for p in caught.value.problems] == [(3, "duplicate"), (4, "empty id")]


def test_generic_json_reads_a_list_of_objects(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"answers": [{"id": 7, "text": "Oui", "age": "18-24"}, {"id": 8, "text": None}]}),
                    encoding="utf-8")
    answers = read_contributions_json(path, "text", "id", ["age"])
    assert [(a.id, a.text, a.segments["age"]) for a in answers] == [("7", "Oui", "18-24"), ("8", "", "")]
    path.write_text("[{", encoding="utf-8")
    with pytest.raises(FormatError, match="invalid JSON") as caught:
        read_contributions_json(path, "text")
    assert caught.value.line == 1
