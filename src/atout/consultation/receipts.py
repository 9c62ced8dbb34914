"""The receipt page, which acknowledges a stored response.

In the one-page layout it is the answer to the submitting POST, so it is rendered once per
submission, the busiest request of the site. Rendering the page through the template engine took
about a third of that request's CPU (bench/submissions_load.py), while for an anonymous respondent
only three strings differ from one submission to the next: the receipt id, the time it was sent
and the CSRF token of the page's language form. So the page is rendered once per survey, language
and address with a marker in place of each, kept in the process, and filled in for each receipt.
Anything else that can change the page is part of the key (the survey's title, the address,
which names the process and the survey) or sends the request through the ordinary render (a
signed-in respondent, pending messages).
"""

from __future__ import annotations

import threading
from types import SimpleNamespace

from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.defaultfilters import date as date_filter
from django.template.loader import get_template
from django.utils.html import escape
from django.utils.timezone import localtime
from django.utils.translation import get_language

TEMPLATE = "consultation/receipt.html"
#: Markers rendered in place of the per-receipt strings; none can occur in a rendered page.
RECEIPT_MARK, DATE_MARK, CSRF_MARK = "\x00receipt\x00", "\x00date\x00", "\x00csrf\x00"
#: Shells kept per process: one per survey, language and address; a few hundred at most in practice.
MAX_SHELLS = 512

_shells: dict[tuple, str] = {}
_lock = threading.Lock()


def context(survey, response, language: str) -> dict:
    """The template's context for ``response`` (the paged layout's receipt page uses it as is)."""
    return {"survey": survey, "title": survey.title(language), "response": response,
            "submitted_on": date_filter(localtime(response.submitted_at), "j F Y à H:i")}


def acknowledgement(request, survey, response, language: str) -> HttpResponse:
    """The receipt page for ``response``, just stored: from the kept shell when the page is the same
    for every anonymous respondent, otherwise rendered as any page."""
    page_context = context(survey, response, language)
    if request.user.is_authenticated or len(get_messages(request)):
        return render(request, TEMPLATE, page_context)
    # The address names the process and the survey; the title is the survey's only text on the page.
    key = (survey.pk, page_context["title"], get_language(), request.get_full_path())
    shell = _shells.get(key)
    if shell is None:
        shell = _render_shell(request, survey, page_context["title"])
        with _lock:
            if len(_shells) >= MAX_SHELLS:
                _shells.clear()
            _shells[key] = shell
    html = (shell.replace(RECEIPT_MARK, escape(response.receipt))
            .replace(DATE_MARK, escape(page_context["submitted_on"]))
            .replace(CSRF_MARK, get_token(request)))
    return HttpResponse(html)


def _render_shell(request, survey, title: str) -> str:
    """The page rendered with markers: the context processors' values (the language form's CSRF
    token replaced by its marker), then the page's own."""
    template = get_template(TEMPLATE)
    values: dict = {}
    for processor in template.template.engine.template_context_processors:
        values.update(processor(request))
    values.update(survey=survey, title=title, response=SimpleNamespace(receipt=RECEIPT_MARK),
                  submitted_on=DATE_MARK, csrf_token=CSRF_MARK)
    return template.render(values)


def clear() -> None:
    """Forget the kept shells (tests; a change of translations or theme needs a restart anyway)."""
    with _lock:
        _shells.clear()
