"""Crawl the demo as one role with Django's test client, following same-site links from a start page.

``crawl(client, start)`` yields :class:`Page` objects (url, status, content type, HTML) for every page
reached by following ``<a href>`` links, breadth first. It stays on the site, never follows links
that act (sign out, language switch), skips files (CSV, PDF, ZIP, …), the Django admin (superusers'
back office, in Django's own words) and the API (machine-readable), and visits at most
``per_path`` variants (query strings) of one path so that filters and pagination do not explode the
crawl. Used by the plain-French test (tests/web/test_plain_french.py) and usable from a shell.
"""

from __future__ import annotations

import html as htmlib
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

#: Paths never followed: actions, files, the admin, the API, the language switch.
SKIPPED = re.compile(
    r"^/(?:admin|api|i18n|static|media)/"
    r"|/(?:logout|deconnexion)/?$"
    r"|\.(?:csv|pdf|zip|xlsx?|ods|odt|docx|json|geojson|png|svg|ico|txt|xml|ics)$"
    r"|/(?:csv|fichier|telecharger|export|download)/?$"
)


@dataclass
class Page:
    url: str
    status: int
    content_type: str
    html: str
    referrer: str


#: An opening ``<a>`` tag, its attributes quoted or not ('>' may appear inside quotes).
A_TAG = re.compile(r"""<a\s((?:[^>"']|"[^"]*"|'[^']*')*)>""", re.IGNORECASE)
#: One attribute of a tag: name, then a value double-quoted, single-quoted or bare, or no value.
ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def _hrefs(html: str) -> list[str]:
    """``href`` of every ``<a>`` without ``download``, unescaped. A regular expression rather than
    :class:`html.parser.HTMLParser`: the crawls parse hundreds of pages, and a full parse of each took a
    fifth of their time; the links are all the crawl needs from it. Unlike a parser, it would also read
    an ``<a>`` written inside a script or a comment; the pages put none there (the same links as the
    parser found on the 523 pages of two roles' crawls)."""
    found = []
    for tag in A_TAG.finditer(html):
        attributes = {}
        for name, double, single, bare in ATTRIBUTE.findall(tag[1]):
            attributes[name.lower()] = double or single or bare
        if attributes.get("href") and "download" not in attributes:
            found.append(htmlib.unescape(attributes["href"]))
    return found


def links_of(html: str, base: str) -> list[str]:
    """Same-site links of a page, as paths with their query strings, fragments dropped."""
    found = []
    for href in _hrefs(html):
        if href.startswith(("mailto:", "tel:", "javascript:")):
            continue
        absolute = urldefrag(urljoin("http://testserver" + base, href)).url
        parts = urlsplit(absolute)
        if parts.netloc != "testserver":
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def pattern_of(path: str) -> str:
    """The family of a page: its path with every segment holding a digit (an id, a commune code) as N."""
    return re.sub(r"[^/]*\d[^/]*", "N", path)


def crawl(client, start: str = "/", *, limit: int = 600, per_path: int = 2, per_pattern: int = 3,
          skip: re.Pattern | None = None) -> Iterator[Page]:
    """Pages reached from ``start`` by following links (see the module docstring); at most ``limit``,
    ``per_path`` variants of one path, ``per_pattern`` pages of one family (362 commune pages are one
    page as far as words go); paths matching ``skip`` are not followed."""
    queue: deque[tuple[str, str]] = deque([(start, "")])
    seen = {start}
    variants: dict[str, int] = {}
    families: dict[str, int] = {}
    fetched = 0
    while queue and fetched < limit:
        url, referrer = queue.popleft()
        response = client.get(url)
        fetched += 1
        content_type = response.get("Content-Type", "")
        is_html = content_type.startswith("text/html") and not getattr(response, "streaming", False)
        html = response.content.decode("utf-8", "replace") if is_html else ""
        yield Page(url, response.status_code, content_type, html, referrer)
        if not is_html or response.status_code != 200:
            continue
        for link in links_of(html, url):
            path = link.split("?", 1)[0]
            if link in seen or SKIPPED.search(path) or (skip is not None and skip.search(path)):
                continue
            family = pattern_of(path)
            if link != path and variants.get(path, 0) >= per_path:
                continue
            if path not in variants and families.get(family, 0) >= per_pattern:
                continue
            seen.add(link)
            if path not in variants:
                families[family] = families.get(family, 0) + 1
            variants[path] = variants.get(path, 0) + 1
            queue.append((link, url))
