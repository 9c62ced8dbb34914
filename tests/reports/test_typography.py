import re
from importlib.util import find_spec
from pathlib import Path

from atout.reports.content import THEME_SMALL_CELL, thin_path
from atout.reports.typography import NBSP, NNBSP, french_html, french_text


def test_it_puts_no_break_spaces_before_high_punctuation_and_inside_quotes():
    assert french_text("Source : INSEE ; «oui» ! vrai ?") == f"Source{NBSP}: INSEE{NNBSP}; «{NNBSP}oui{NNBSP}»{NNBSP}! vrai{NNBSP}?"


def test_it_groups_thousands_with_narrow_no_break_spaces():
    assert french_text("521 432 habitants, 1\u00a0234\u00a0567 €, 12 %") == (
        f"521{NNBSP}432 habitants, 1{NNBSP}234{NNBSP}567{NBSP}€, 12{NBSP}%")


def test_it_leaves_times_addresses_and_markup_alone():
    html = '<p title="a : b">10:30 https://x.fr <style>a:hover{x: 1}</style> Note : ok</p><script>a ? b : c</script>'
    assert french_html(html) == f'<p title="a : b">10:30 https://x.fr <style>a:hover{{x: 1}}</style> Note{NBSP}: ok</p><script>a ? b : c</script>'


def test_thinning_keeps_every_ring_closed_and_drops_close_points():
    d = "M0,0 L0.2,0 L0.4,0 L10,0 L10,10 L0,10 Z M50,50 L51,50 L51,51 Z"
    thinned = thin_path(d, 1.0)
    assert thinned.count("M") == 2 and thinned.count("Z") == 2
    assert "0.2,0" not in thinned and "10,10" in thinned and "51,51" in thinned


def test_the_theme_small_cell_is_the_fieldwork_one():
    # Read from the source: importing themeruns loads the French language pipeline (~20 s).
    source = Path(find_spec("atout.fieldwork.themeruns").origin).read_text(encoding="utf-8")
    assert int(re.search(r"^SMALL_CELL = (\d+)", source, re.M).group(1)) == THEME_SMALL_CELL
