"""French themes engine on the real Lille "Grand débat" comments: themes, quotes, tonality, edits, agreement."""

import csv
from pathlib import Path

import numpy as np
import pytest

from atout.engine import themes as T
from atout.engine.formats.decidim import read_decidim
from atout.engine.text.french import STOP_KEYS, FrenchAnalyzer, is_french_word, strip_accents, terms_of
from atout.engine.text.tonality import LABELS, tonality

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# A human coding of 45 Lille comments, made for this test by reading each one (codes are topics;
# an empty list means "none of these topics"). Mapped to automatic themes by their terms below.
HUMAN_CODING = {
    "841": [], "647": ["ecology"], "923": ["tax"], "1640": ["democracy"], "533": ["democracy"],
    "557": ["tax"], "1183": ["democracy"], "581": ["democracy"], "889": ["democracy"], "1277": [],
    "542": ["blank vote"], "1142": [], "715": ["democracy"], "522": ["ecology"], "573": [],
    "984": ["ecology"], "959": [], "618": [], "744": ["democracy"], "577": ["democracy"],
    "1213": ["democracy"], "970": ["ecology"], "543": ["tax"], "1250": ["blank vote"], "616": ["democracy"],
    "724": ["democracy"], "1508": ["democracy"], "1499": [], "546": ["ecology"], "1265": ["public service"],
    "1281": [], "927": [], "534": ["blank vote"], "722": ["blank vote"], "531": ["democracy"], "1228": [],
    "628": ["democracy"], "796": [], "963": [], "640": ["tax"], "1192": [], "610": ["public service"],
    "1257": ["tax"], "827": ["democracy"], "1545": ["blank vote"],
}
# The word by which a reader recognises each topic among a theme's top terms.
TOPIC_WORDS = {"ecology": "voiture", "tax": "impôt", "democracy": "référendum", "blank vote": "vote blanc",
               "public service": "service public"}


@pytest.fixture(scope="module")
def lille(data_dir):
    comments = read_decidim(data_dir / "consultation" / "decidim-lille" / "commentaires_debats.csv")
    return [c.text for c in comments], [c.id for c in comments], comments


@pytest.fixture(scope="module")
def result(lille):
    texts, ids, _ = lille
    return T.discover_themes(texts, ids, seed=0)


def theme_with(result, word):
    matches = [t for t in result.themes if word in t.terms[:6] or word in t.label]
    assert matches, f"no theme shows {word!r}: {[t.label for t in result.themes]}"
    return matches[0]


# --------------------------------------------------------------------------- preprocessing


def test_elisions_accents_and_case_give_one_key():
    analyzer = FrenchAnalyzer()
    keys = [k for k in analyzer.analyse("L'État, l’etat et l ETAT qu'il faut réformer d'urgence") if len(k) > 1]
    assert keys == ["etat", "etat", "etat", "reformer", "urgence"]
    assert analyzer.display("etat") == "état"


def test_plural_nouns_are_not_read_as_verbs():
    analyzer = FrenchAnalyzer()
    assert [k for k in analyzer.analyse("les taxes et les votes") if len(k) > 1] == ["taxe", "vote"]


def test_key_phrases_stay_inside_a_clause_and_keep_de():
    analyzer = FrenchAnalyzer()
    terms = terms_of(analyzer.analyse("Supprimer la taxe d'habitation. Vote blanc"), {})
    assert "taxe de habitation" in terms
    assert "vote blanc" in terms
    assert "habitation vote" not in terms  # the full stop ends the clause
    assert analyzer.display_phrase("taxe de habitation") == "taxe d'habitation"


def test_rare_unknown_words_are_read_as_typos_of_frequent_ones():
    analyzer = FrenchAnalyzer()
    texts = ["la démocratie locale"] * 6 + ["la démocrattie locale", "la démocratei"]
    counts = {}
    for text in texts:
        for key in set(analyzer.analyse(text)):
            counts[key] = counts.get(key, 0) + 1
    typos = analyzer.fit_typos(counts)
    assert typos == {"democrattie": "democratie", "democratei": "democratie"}


# --------------------------------------------------------------------------- themes on real data


def test_lille_comments_are_analysed_into_readable_themes(result, lille):
    texts, ids, _ = lille
    assert 4 <= result.k <= 15
    assert len(result.themes) == result.k
    assert [t.id for t in result.themes] == list(range(1, result.k + 1))
    sizes = [t.size for t in result.themes]
    assert sizes == sorted(sizes, reverse=True) and min(sizes) >= 20
    # Themes a French reader recognises in the 2019 "Grand débat" comments.
    assert theme_with(result, "vote blanc")
    assert theme_with(result, "impôt")
    assert theme_with(result, "référendum")
    # The criterion that chose k is recorded for every k tried.
    assert [r["k"] for r in result.k_scores] == list(range(4, 16))
    assert sum(r["chosen"] for r in result.k_scores) == 1


def test_labels_are_french_lemmas_and_no_stop_words(result):
    for theme in result.themes:
        words = [w for part in theme.label.split(", ") for w in part.replace("'", "' ").split()]
        assert len(words) >= 3, theme.label
        for word in words:
            if word.endswith("'"):  # elided "d'" inside a key phrase
                continue
            assert is_french_word(word) or (word.isupper() and len(word) <= 4), (theme.label, word)
            assert strip_accents(word) not in STOP_KEYS, (theme.label, word)


def test_answers_carry_several_themes_strongest_first(result):
    assignments = result.assignments
    assert len(assignments) == 693
    multi = [a for a, themes in assignments.items() if len(themes) >= 2]
    assert len(multi) >= 100
    i = result.answer_ids.index(multi[0])
    strengths = [result.strength[i, result.column(t)] for t in assignments[multi[0]]]
    assert strengths == sorted(strengths, reverse=True)
    assert sum(t.size for t in result.themes) == sum(len(v) for v in assignments.values())


def test_quotes_are_real_answers_of_their_theme(result, lille):
    texts, ids, _ = lille
    by_id = dict(zip(ids, texts, strict=True))
    for theme in result.themes:
        assert len(theme.quotes) == 3
        members = set(result.members(theme.id))
        for quote, qid in zip(theme.quotes, theme.quote_ids, strict=True):
            assert qid in members
            assert quote == " ".join(by_id[qid].split())


def test_same_seed_same_themes(result, lille):
    texts, ids, _ = lille
    again = T.discover_themes(texts, ids, seed=0)
    assert again.assignments == result.assignments
    assert [t.label for t in again.themes] == [t.label for t in result.themes]


def test_very_short_answers_get_a_theme_when_they_match(result, lille):
    _, _, comments = lille
    short = {c.id: c.text for c in comments}
    assert short["760"] == "Un VRAI plan vélo !"
    assert result.assignments["760"], "a 4-word answer naming a known topic gets its theme"
    new = T.assign(result, ["vote blanc", "impôts", "oui", ""])
    assert new[0][0] == theme_with(result, "vote blanc").id
    assert new[1][0] == theme_with(result, "impôt").id
    assert new[2] == [] and new[3] == []


def test_themes_beat_the_tfidf_nmf_baseline_on_lille(result):
    comparison = T.compare_with_baseline(result)
    ours, baseline = comparison["themes"], comparison["baseline"]
    assert ours["k"] == baseline["k"] == result.k
    assert ours["coherence_npmi"] > baseline["coherence_npmi"]
    assert ours["diversity"] >= baseline["diversity"]


def test_npmi_is_one_for_words_always_together_and_minus_one_for_words_never_together():
    from scipy import sparse

    B = sparse.csc_matrix(np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1], [0, 0, 1]], dtype=float))
    index = {"a": 0, "b": 1, "c": 2}
    assert T.npmi_coherence([["a", "b"], ["a", "c"]], B, index) == [1.0, -1.0]
    assert T.topic_diversity([["a", "b"], ["b", "c"]]) == 0.75


def test_spread_by_segment_counts_answers_per_value(result, lille):
    _, _, comments = lille
    frame = T.spread(result, {"alignment": [str(c.alignment) for c in comments]})
    assert set(frame["value"]) == {"-1", "0", "1"}
    assert frame.groupby("value")["answers"].first().to_dict() == {"-1": 26, "0": 574, "1": 93}
    totals = frame.groupby("theme")["count"].sum().to_dict()
    assert totals == {t.id: t.size for t in result.themes}
    assert ((frame["share"] >= 0) & (frame["share"] <= 1)).all()


# --------------------------------------------------------------------------- tonality


def test_tonality_rules_on_clear_sentences():
    assert tonality("Tout à fait d'accord !").label == "positive"
    assert tonality("Je ne suis pas d'accord.").label == "negative"
    assert tonality("Il n'est pas normal que les élus gardent ces avantages.").label == "negative"
    assert tonality("C'est une excellente idée mais le coût est exorbitant").label == "mixed"
    assert tonality("Créer un pôle de formation professionnelle.").label == "neutral"


def test_tonality_accuracy_on_the_held_out_labelled_sample():
    """The lexicon was completed on odd lines only; even lines are the held-out test.

    Four labels, and "neutral" is the majority (55 of the 90 held-out sentences, 61 %): a useful
    method must beat always answering "neutral", and 0.60 is the floor we accept (measured 0.64,
    see docs/methods/themes.md).
    """
    with open(FIXTURES / "tonality_lille.csv", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if int(r["n"]) % 2 == 0]
    assert len(rows) == 90
    predicted = [tonality(r["text"]).label for r in rows]
    accuracy = np.mean([p == r["label"] for p, r in zip(predicted, rows, strict=True)])
    majority = max(np.mean([r["label"] == lab for r in rows]) for lab in LABELS)
    assert accuracy >= 0.60
    assert accuracy > majority
    # Polar answers are found: most human-negative sentences are not called positive.
    negatives = [p for p, r in zip(predicted, rows, strict=True) if r["label"] == "negative"]
    assert negatives.count("positive") <= len(negatives) // 4


def test_every_answer_and_theme_has_a_tonality(result):
    assert len(result.tonality) == 693 and set(result.tonality) <= set(LABELS)
    for theme in result.themes:
        assert theme.tonality["dominant"] in LABELS
        assert theme.tonality["n"] == theme.size
        assert abs(sum(theme.tonality["shares"].values()) - 1) < 1e-9


# --------------------------------------------------------------------------- human in the loop


def human_coding(result):
    theme_of = {topic: theme_with(result, word).id for topic, word in TOPIC_WORDS.items()}
    return {aid: [theme_of[c] for c in codes] for aid, codes in HUMAN_CODING.items()}


def test_kappa_between_automatic_themes_and_a_human_coding(result):
    human = human_coding(result)
    report = T.agreement(result.assignments, human, codes=[t.id for t in result.themes])
    assert report["answers"] == 45
    assert set(report["per_code"]) == {t.id for t in result.themes}
    defined = [k for k in report["per_code"].values() if k is not None]
    assert all(-1 <= k <= 1 for k in defined)
    # Automatic themes agree with a reader beyond chance, but not perfectly.
    assert 0.3 <= report["overall"] < 1
    assert report["per_code"][theme_with(result, "vote blanc").id] >= 0.5
    assert T.kappa_reading(report["overall"]) in {"fair", "moderate", "substantial"}


def test_kappa_is_one_against_itself_and_undefined_for_constant_codes(result):
    same = T.agreement(result.assignments, result.assignments)
    assert same["overall"] == pytest.approx(1.0)
    assert all(k == pytest.approx(1.0) for k in same["per_code"].values())
    nothing = T.agreement({"a": [], "b": []}, {"a": [], "b": []}, codes=[1])
    assert nothing["per_code"] == {1: None} and nothing["overall"] is None


def test_moving_answers_to_the_human_codes_raises_agreement(result):
    human = human_coding(result)
    before = T.agreement(result.assignments, human)["overall"]
    edited = T.move_answers(result, list(human), to_theme=None)  # out of every theme
    assert all(edited.assignments[aid] == [] for aid in human)
    for code in sorted({c for codes in human.values() for c in codes}):
        edited = T.move_answers(edited, [aid for aid, codes in human.items() if code in codes], to_theme=code)
    after = T.agreement(edited.assignments, human, codes=[t.id for t in result.themes])
    assert after["overall"] == pytest.approx(1.0)
    assert before < 1.0
    assert edited.history[-1]["action"] == "move"
    assert result.history == []  # edits return new results


def test_rename_merge_and_split(result):
    blank = theme_with(result, "vote blanc").id
    renamed = T.rename_theme(result, blank, "Reconnaissance du vote blanc")
    assert renamed.theme(blank).label == "Reconnaissance du vote blanc"
    assert renamed.history == [{"action": "rename", "theme": blank, "old": result.theme(blank).label,
                                "new": "Reconnaissance du vote blanc"}]

    tax = theme_with(result, "impôt").id
    merged = T.merge_themes(renamed, [blank, tax], label="Élections et impôts")
    union = set(result.members(blank)) | set(result.members(tax))
    assert len(merged.themes) == result.k - 1
    assert merged.theme(blank).size == len(union)
    assert merged.theme(blank).label == "Élections et impôts"
    with pytest.raises(KeyError):
        merged.theme(tax)

    split = T.split_theme(result, tax, k=2)
    parts = [t for t in split.themes if t.origin == "split"]
    assert len(split.themes) == result.k + 1 and len(parts) == 2
    assert set().union(*(split.members(t.id) for t in parts)) == set(result.members(tax))
    assert parts[0].label != parts[1].label
    assert split.history[-1]["into"] == [tax, result.k + 1]
