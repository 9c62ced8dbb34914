"""No page of the demo, for any role, shows an internal code, a file path or English in French mode.

The crawl (tests/crawl.py) starts at the home page and follows links as each role; the checks
(tests/plain_french.py) read what a person sees. Families of identical pages (362 commune pages, the
indicator pages for signed-in roles, who see them as the public does) are sampled, not all fetched.
"""

import re

import pytest

from tests.crawl import crawl, links_of
from tests.plain_french import is_english, problems

ROLES = ["anonymous", "participant", "facilitator", "team", "admin"]
#: Public data pages identical for every role: crawled in full by the anonymous visitor only.
PUBLIC_FAMILIES = re.compile(r"^/diagnostic/[^/]+/indicateurs/.|^/territoires/.")


@pytest.fixture
def codes(db):
    """Catalogue codes that read as codes (with an underscore), and every PTOD series code imported."""
    from atout.diagnostic.models import ImportBatch, Indicator, Series

    catalogue = {c for c in Indicator.objects.values_list("code", flat=True) if "_" in c}
    ptod = set(Series.objects.filter(observations__batch__format=ImportBatch.Format.PTOD)
               .values_list("code", flat=True).distinct())
    return catalogue, {c for c in ptod if "_" in c}


def test_the_checks_find_each_kind_of_problem(codes):
    page = ("<p>Taux d'emploi (employment_rate)</p><p title='dm_pop_vtcam_1622'>Croissance</p>"
            "<p>Voir docs/methods/diagnostic.md.</p><p>Number of residents counted by the census in the territory.</p>"
            "<script>var code = 'employment_rate';</script><a href='/diagnostic/drome/indicateurs/employment_rate/'>"
            "Le taux d'emploi des 15-64 ans est plus élevé que la France.</a>")
    found = problems(page, *codes)
    assert [p.split(" ", 2)[:2] for p in found] == [["catalogue", "code"], ["PTOD", "code"], ["file", "path"],
                                                     ["English", "'Number"]]


def test_french_sentences_are_not_english():
    assert not is_english("Le taux de chômage est plus élevé que la moyenne des départements de la région.")
    assert not is_english("Drôme, Ardèche, Isère, France")
    assert is_english("This page shows the results of the survey for the team.")


def test_a_survey_condition_is_a_formula_not_english(codes):
    page = "<p>si <code>${repondant} = 'particulier' and (${situation} = 'etudes' or ${situation} = 'emploi')</code></p>"
    assert problems(page, codes) == []


# The words of a page do not depend on the database engine, and every page is opened on PostgreSQL by the
# permission walk (tests/test_permissions.py) and the XSS crawl: CI runs this crawl in the SQLite run only.
@pytest.mark.page_words
@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_codes_paths_or_english(client, users, codes, role):
    if role != "anonymous":
        client.force_login(users[role])
    reached, found = set(), []
    skip = None if role == "anonymous" else PUBLIC_FAMILIES
    for page in crawl(client, "/", limit=400, per_path=1, per_pattern=3 if role == "anonymous" else 2, skip=skip):
        reached.add(page.url.split("?")[0])
        if page.html and page.status == 200:
            found += [f"{page.url}: {problem}" for problem in problems(page.html, *codes)]
    # The crawl reached the diagnostic, so a crawl broken by a change of links cannot pass unseen.
    assert {"/p/drome/", "/diagnostic/drome/", "/diagnostic/drome/synthese/"} <= reached, sorted(reached)
    if role == "anonymous":
        assert "/territoires/dep:26/" in reached and any("/indicateurs/" in url for url in reached)
    assert not found, "\n".join(found)


def test_the_crawl_follows_the_links_a_browser_would():
    page = ("<abbr title='x'>x</abbr><a class=\"b\" title=\"a > b\" href=\"/p/drome/?page=2&amp;tri=nom\">1</a>"
            "<A HREF='/diagnostic/drome/'>2</A><a href=/territoires/ data-x>3</a><a href=\"/f.csv\" download>4</a>"
            "<a>5</a><a href=\"https://example.org/\">6</a><a\nhref=\"mailto:x@y.fr\">7</a><a href=\"#haut\">8</a>")
    assert links_of(page, "/p/drome/") == ["/p/drome/?page=2&tri=nom", "/diagnostic/drome/", "/territoires/",
                                           "/p/drome/"]
