"""Phone first: at 360 px no public page scrolls sideways (the page is no wider than the screen).

Wide content (maps, tables, charts) must shrink or scroll inside its own box; the failure message
names the elements that stick out, so the fix is where the message points.
"""

import pytest

from .conftest import screenshot

pytestmark = pytest.mark.browser

WIDTH = 360
PUBLIC_PAGES = [
    "/",
    "/p/drome/",
    "/territoires/dep:26/",
    "/diagnostic/drome/",
    "/diagnostic/drome/synthese/",
    "/diagnostic/drome/indicateurs/",
    "/diagnostic/drome/indicateurs/unemployment_rate/",
    "/diagnostic/drome/indicateurs/population/?niveau=epci",
    "/diagnostic/drome/indicateurs/median_income/?niveau=departement",
    "/diagnostic/drome/comparaison/",
    "/diagnostic/drome/constats/",
    "/diagnostic/drome/boussole/",
    "/opinion/drome/",
    "/opinion/drome/priorites-drome/",
    "/opinion/drome/priorites-drome/carte/",
    "/consultation/drome/q/perception-drome/",
    "/sources/",
]

#: The elements whose right edge passes the screen's, outermost first (for the failure message).
OVERFLOWING = """() => {
  const limit = 360;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > limit + 1 && !out.some(o => o.el.contains(el))) out.push({el, right: Math.round(box.right)});
  }
  return out.slice(0, 8).map(o => `${o.el.tagName.toLowerCase()}${o.el.className && typeof o.el.className === 'string' ? '.' + o.el.className.split(' ').join('.') : ''} → ${o.right}px`);
}"""


@pytest.fixture
def narrow_phone(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": WIDTH, "height": 740}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_no_public_page_scrolls_sideways_at_360_px(served_demo, narrow_phone, path):
    response = narrow_phone.goto(served_demo + path)
    assert response.status == 200, path
    width = narrow_phone.evaluate("document.documentElement.scrollWidth")
    # Not window.innerWidth: a phone browser widens its layout viewport to a page too wide for it.
    inner = WIDTH
    if width > inner:
        screenshot(narrow_phone, "phone-overflow-" + path.strip("/").replace("/", "-").replace("?", "-"))
    assert width <= inner, f"{path}: {width}px wide on a {inner}px screen; " + "; ".join(
        narrow_phone.evaluate(OVERFLOWING))
