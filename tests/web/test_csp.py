"""Content-Security-Policy: every answer carries it, scripts come only from the site, and no template
of ours holds a script the policy would block (inline script, event-handler attribute, javascript: URL).
The browser side (no violation reported by Chromium) is tests/browser/test_csp.py."""

import base64
import hashlib
import re
from pathlib import Path

from django.conf import settings

import atout

TEMPLATES = sorted(Path(atout.__file__).parent.glob("**/templates/**/*.html"))
INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
HANDLER = re.compile(r"""<[a-z][^>]*\son[a-z]+\s*=""", re.I)


def directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_every_answer_carries_the_policy(client, users):
    for url in ("/", "/p/drome/", "/territoires/dep:26/", "/connexion/", "/api/docs", "/pas-de-page/"):
        policy = directives(client.get(url)["Content-Security-Policy"])
        assert policy["default-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    client.force_login(users["admin"])
    assert "default-src 'self'" in client.get("/admin/")["Content-Security-Policy"]


def test_no_template_holds_a_script_the_policy_blocks():
    allowed = set(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"])
    assert TEMPLATES
    blocked = []
    for template in TEMPLATES:
        text = template.read_text(encoding="utf-8")
        for match in INLINE_SCRIPT.finditer(text):
            attrs, body = match.group("attrs"), match.group("body")
            if "src=" in attrs or 'type="application/json"' in attrs:
                continue  # a file of the site, or data (never executed)
            digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            if f"'sha256-{digest}'" not in allowed:
                blocked.append(f"{template}: inline <script>{body[:60]}")
        blocked += [f"{template}: {m.group(0)[:80]}" for m in HANDLER.finditer(text)]
        if "javascript:" in text:
            blocked.append(f"{template}: javascript: URL")
    assert blocked == []


def test_the_error_summary_script_is_a_file_of_the_site(client, drome):
    page = client.get("/").content.decode()
    assert re.search(r'<script src="/static/web/atout\.js" defer>', page)
    script = (Path(atout.__file__).parent / "web" / "static" / "web" / "atout.js").read_text()
    assert 'getElementById("error-summary")' in script
