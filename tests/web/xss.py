"""Helpers of the XSS tests: XSS payloads written into every free-text field of atout's models, and
the check that a rendered page shows them escaped.

A *free-text field* is every ``CharField``/``TextField`` of a model of an ``atout.*`` app, and the
text found under label-like keys of its ``JSONField`` values, except:

- fields with ``choices``, ``SlugField`` and ``EmailField``: their values are validated against a
  fixed set or a restricted alphabet on every write path, and a payload would only make the page
  fail on the lookup rather than test escaping;
- ``URLField``: they receive a ``javascript:`` URL instead (they become links);
- the explicit list :data:`NOT_FREE_TEXT` below (hashes, codes referring to other rows, machine
  data), each with its reason;
- fields too short to hold the shortest payload (:data:`MIN_LENGTH`), which therefore cannot carry one.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.db import models
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat

SCRIPT = "<script>window.__xss=1</script>"
IMG = '"><img src=x onerror=alert(1)>'
SVG = "<svg onload=alert(1)>"
JS_URL = "javascript:window.__xss=1"
#: What must never reach a page unescaped.
RAW_MARKERS = ("<script>window.__xss", "<img src=x onerror", "<svg onload")
JS_IN_LINK = re.compile(r"""\b(?:href|src|action|formaction|xlink:href|data|poster)\s*=\s*["']?\s*javascript:""", re.I)
#: Room kept for the row number appended to each payload (unique columns stay unique).
SUFFIX_ROOM = 12
MIN_LENGTH = len(SVG) + SUFFIX_ROOM

NOT_FREE_TEXT = {
    "territories.Territory.code": "INSEE/SIREN code, part of URLs (key=dep:26)",
    "territories.Territory.contour": "GeoJSON geometry parsed into SVG paths",
    "diagnostic.Indicator.theme": "catalogue theme code, mapped to translated headings",
    "diagnostic.Indicator.domain": "OECD domain code, mapped to translated labels",
    "diagnostic.Indicator.dimension": "OECD dimension code, mapped to translated labels",
    "diagnostic.Indicator.axis": "API axis code (A/P/I)",
    "diagnostic.Indicator.ptod": "code of a series in the PTOD file",
    "diagnostic.Indicator.numerator": "code of another series",
    "diagnostic.Indicator.denominator": "code of another series",
    "diagnostic.Indicator.from_indicator": "code of another indicator",
    "diagnostic.Indicator.to_indicator": "code of another indicator",
    "diagnostic.Indicator.method": "computation method code (cagr…)",
    "diagnostic.Indicator.aspect": "aspect code (level…)",
    "diagnostic.Series.code": "INSEE column code (CODGEO file header) joining observations",
    "diagnostic.ImportBatch.sha256": "hash of the imported file",
    "consultation.Invitation.token_hash": "hash of an invitation token",
    "consultation.Response.receipt": "random receipt code",
    "consultation.Response.resume_hash": "hash of a resume token",
    "consultation.Response.fingerprint": "hash used to find duplicates",
    "consultation.Response.source": "import source code (web, limesurvey, kobo)",
    "consultation.Answer.question": "question name: joins answers to the form",
    "consultation.Answer.choice": "choice name: joins answers to the form's options",
    "consultation.RateBucket.key": "HMAC of an address",
    "consultation.ResultsSnapshot.key": "cache key",
    "consultation.ResultsSnapshot.stamp": "cache stamp",
    "fieldwork.Theme.origin": "code of how a theme was made (auto, renamed, merged…)",
    "fieldwork.ThemeAssignment.unit": "reference of a coded unit (a12, c34)",
    "opinion.Participant.anonymous_key": "hash of an anonymous participant",
    "strategy.Evidence.key": "stable key of an automatic import",
    "strategy.SwotItem.proposed_from": "reference of the evidence a proposal comes from",
    "strategy.Allocation.segment": "segment code",
    "actions.Action.code": "action code, part of URLs (/action/<code>/)",
    "actions.Kpi.indicator": "code of a catalogue indicator",
    "community.LoginToken.token_hash": "hash of a sign-in token",
    "community.Notification.key": "deduplication key",
}
#: Keys of JSON values that hold text shown to people (XLSForm labels and hints, theme terms…).
JSON_TEXT_KEYS = {"label", "labels", "hint", "hints", "title", "text", "quote", "quotes", "terms",
                  "constraint_message", "constraint_messages", "required_message", "required_messages"}


def atout_models():
    return [m for m in apps.get_models() if m.__module__.startswith("atout.")]


def excluded_by_rule(field) -> bool:
    return bool(field.choices) or isinstance(field, models.SlugField | models.EmailField)


def free_text_fields():
    """(model, field, kind) with kind "text", "url" or "json", for every field receiving a payload."""
    found = []
    for model in atout_models():
        for field in model._meta.concrete_fields:
            if f"{model._meta.label}.{field.name}" in NOT_FREE_TEXT:
                continue
            if isinstance(field, models.URLField):
                found.append((model, field, "url"))
            elif isinstance(field, models.JSONField):
                found.append((model, field, "json"))
            elif isinstance(field, models.CharField | models.TextField) and not excluded_by_rule(field):
                if field.max_length is None or field.max_length >= MIN_LENGTH:
                    found.append((model, field, "text"))
    return found


def payload_for(max_length: int | None) -> str:
    for candidate in (SCRIPT + IMG, SCRIPT, IMG, SVG):
        if max_length is None or len(candidate) + SUFFIX_ROOM <= max_length:
            return candidate
    raise ValueError(max_length)


def poison_json(value, text: bool = False):
    """The same JSON value with every string under a label-like key replaced by a payload."""
    if isinstance(value, dict):
        return {k: poison_json(v, text or k in JSON_TEXT_KEYS) for k, v in value.items()}
    if isinstance(value, list):
        return [poison_json(v, text) for v in value]
    if isinstance(value, str) and text and value:
        return SCRIPT + IMG
    return value


def inject() -> dict[str, int]:
    """Write the payloads into every row of every free-text field; returns rows touched per field."""
    touched = {}
    for model, field, kind in free_text_fields():
        manager = model._base_manager
        label = f"{model._meta.label}.{field.name}"
        if kind == "url":
            touched[label] = manager.update(**{field.name: JS_URL})
        elif kind == "text":
            payload = payload_for(field.max_length)
            touched[label] = manager.update(**{field.name: Concat(Value(payload + " "), Cast("pk", CharField()),
                                                                     output_field=field.__class__())})
        else:
            count = 0
            for pk, value in manager.values_list("pk", field.name).iterator():
                poisoned = poison_json(value, field.name in JSON_TEXT_KEYS)
                if poisoned != value:
                    manager.filter(pk=pk).update(**{field.name: poisoned})
                    count += 1
            touched[label] = count
    return touched


def shows_html(response) -> bool:
    kind = response.get("Content-Type", "")
    return kind.startswith(("text/html", "image/svg+xml", "application/xhtml")) and not response.get(
        "Content-Disposition", "").startswith("attachment")


def unescaped(content: str) -> list[str]:
    """The payload fragments found raw in a page (empty when everything is escaped)."""
    found = [marker for marker in RAW_MARKERS if marker in content]
    found += [m.group(0) for m in JS_IN_LINK.finditer(content)]
    return found
