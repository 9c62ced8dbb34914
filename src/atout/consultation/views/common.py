"""What both halves of the consultation views need: the survey named by the URL, the reader's language."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import get_language

from .. import services
from ..models import Survey


def language() -> str:
    """The reader's language among the survey languages: "fr" or "en"."""
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def survey_or_404(request, survey_slug: str) -> Survey:
    """The survey ``survey_slug`` of the process in the URL, with its process (one query; the public
    answering views leave the process to this) and ``request.process`` set. The draft (JSON) is left
    out: it only matters to the builder; a published structure is read and parsed once per process
    (services.version_form)."""
    found = services.find_survey(request.resolver_match.kwargs["slug"], survey_slug)
    if found is None:
        raise Http404
    request.process = found.process
    return found
