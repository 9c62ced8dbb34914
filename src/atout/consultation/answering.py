"""Reading and checking answers, page by page, on the server.

Relevance, constraints and choice filters are evaluated with :mod:`atout.engine.expressions`
(never ``eval``). Values kept between pages are JSON: a code (single choice, commune), a list of
codes (multiple choice, ranking in rank order), a number, a text or an ISO date.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from atout.engine import expressions
from atout.engine.formats.xlsform import Form, Group, Question

from .structure import page_questions, parents_relevance, text

MAX_TEXT = 5000
CHOICE_KINDS = ("select_one", "likert", "commune")
#: C0 control characters other than tab, line feed and carriage return: never typed by a person,
#: refused by PostgreSQL (NUL) and by Excel (the others), so taken out of free text as it comes in.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(value: str) -> str:
    """``value`` without C0 control characters (tab and line ends kept)."""
    return CONTROL_CHARACTERS.sub("", value)


@dataclass
class PageResult:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    #: The raw text typed, to show it back with its error.
    raw: dict[str, Any] = field(default_factory=dict)
    #: Questions that became relevant through answers on this very page, not yet shown.
    new: list[str] = field(default_factory=list)


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def relevant(question: Question, answers: dict, group_conditions: list[str], today: dt.date | None = None) -> bool:
    """Whether ``question`` is asked, given the answers so far (its groups' conditions included)."""
    for condition in [*group_conditions, question.relevant]:
        if condition and not expressions.evaluate_condition(condition, answers, today=today):
            return False
    return True


def visible_choices(question: Question, answers: dict, communes: list[tuple[str, str]] | None = None):
    """(code, labels) of the options offered, after the choice filter."""
    if question.type == "commune":
        return [(code, {"default": name}) for code, name in (communes or [])]
    options = question.choices
    if question.choice_filter:
        options = [c for c in options
                   if expressions.evaluate_condition(question.choice_filter, answers, choice={"name": c.name, **c.properties})]
    result = [(c.name, c.labels) for c in options]
    if question.or_other:
        result.append(("other", {"default": _("Autre")}))
    return result


def _offered(question: Question, code: str, answers: dict, communes) -> bool:
    if question.type == "commune":  # hundreds of communes: no list of labels built to check one code
        return any(code == offered for offered, _name in (communes or []))
    return any(code == offered for offered, _labels in visible_choices(question, answers))


def parse_value(question: Question, data, answers: dict, communes=None) -> tuple[Any, str | None, Any]:
    """Read one question from the submitted ``data`` (a QueryDict). Output: (value, error, raw);
    ``raw`` is what the page shows back, never longer than MAX_TEXT (the error names the limit:
    a page does not send a megabyte back to whoever sent it)."""
    value, error, raw = _parse_value(question, data, answers, communes)
    if isinstance(raw, str) and len(raw) > MAX_TEXT:
        raw = ""
    return value, error, raw


def _parse_value(question: Question, data, answers: dict, communes=None) -> tuple[Any, str | None, Any]:
    name = question.name
    kind = question.type
    if kind == "note":
        return None, None, None
    if kind in CHOICE_KINDS:
        raw = (data.get(name) or "").strip()
        if raw and not _offered(question, raw, answers, communes):
            return None, _("Choisissez une des réponses proposées."), raw
        return raw, None, raw
    if kind == "select_multiple":
        raw = [v.strip() for v in data.getlist(name) if v.strip()]
        allowed = [code for code, _labels in visible_choices(question, answers)]
        if any(v not in allowed for v in raw):
            return None, _("Choisissez parmi les réponses proposées."), raw
        return [code for code in allowed if code in raw], None, raw
    if kind == "rank":
        return _parse_rank(question, data, answers)
    if kind in ("score", "integer", "decimal"):
        raw = (data.get(name) or "").strip()
        if not raw:
            return "", None, raw
        number = _number(raw, integer=kind != "decimal")
        if number is None:
            message = _("Saisissez un nombre entier.") if kind != "decimal" else _("Saisissez un nombre.")
            return None, message, raw
        # Bounds read from a constraint are checked with the constraint (and its own message).
        low, high = question.bounds if question.bounds and not question.constraint else (None, None)
        if (low is not None and number < low) or (high is not None and number > high):
            return None, _("Saisissez un nombre entre %(low)s et %(high)s.") % {
                "low": _fmt(low) if low is not None else "…", "high": _fmt(high) if high is not None else "…"}, raw
        return number, None, raw
    if kind == "date":
        raw = (data.get(name) or "").strip()
        if not raw:
            return "", None, raw
        try:
            return dt.date.fromisoformat(raw).isoformat(), None, raw
        except ValueError:
            return None, _("Saisissez une date au format AAAA-MM-JJ."), raw
    raw = clean_text((data.get(name) or "").replace("\r\n", "\n")).strip()
    if len(raw) > MAX_TEXT:
        return None, _("Votre réponse dépasse %(max)s caractères.") % {"max": MAX_TEXT}, raw
    return raw, None, raw


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _number(raw: str, *, integer: bool) -> float | int | None:
    text_value = raw.replace(" ", "").replace("\u202f", "").replace(",", ".")
    pattern = r"-?\d+" if integer else r"-?(\d+(\.\d*)?|\.\d+)"
    if not re.fullmatch(pattern, text_value):
        return None
    number = float(text_value)
    if not math.isfinite(number):
        return None
    return int(number) if integer else number


def _parse_rank(question: Question, data, answers: dict):
    allowed = [code for code, _labels in visible_choices(question, answers)]
    ranks: dict[str, int] = {}
    raw: dict[str, str] = {}
    for code in allowed:
        value = (data.get(f"{question.name}__{code}") or "").strip()
        raw[code] = value
        if not value:
            continue
        if not value.isdigit() or not 1 <= int(value) <= len(allowed):
            return None, _("Les rangs vont de 1 à %(n)s.") % {"n": len(allowed)}, raw
        ranks[code] = int(value)
    if len(set(ranks.values())) != len(ranks):
        return None, _("Chaque rang ne peut être donné qu'une fois."), raw
    if ranks and sorted(ranks.values()) != list(range(1, len(ranks) + 1)):
        return None, _("Classez à partir de 1, sans sauter de rang."), raw
    return sorted(ranks, key=ranks.get), None, raw


def check_page(form: Form, page: Group, data, answers: dict, communes=None, language: str = "fr",
               shown: set[str] | None = None) -> PageResult:
    """Read and check every question of ``page`` against the answers so far.

    Inputs: the form, the page, the submitted data (QueryDict), the answers already kept (name →
    value), the process communes (code, name) for commune questions, the reader's language, and
    ``shown``: the questions the respondent was shown (by default, those relevant given ``answers``).
    Output: :class:`PageResult` with the values of the page (irrelevant questions set to '') and one
    message per question in error.
    """
    result = PageResult()
    current = dict(answers)
    conditions = parents_relevance(form)
    for question, _group in page_questions(page):
        if question.type == "note":
            continue
        if not relevant(question, current, conditions.get(question.name, [])):
            result.values[question.name] = ""
            current[question.name] = ""
            continue
        value, error, raw = parse_value(question, data, current, communes)
        result.raw[question.name] = raw
        was_shown = (question.name in shown) if shown is not None else relevant(
            question, answers, conditions.get(question.name, []))
        if not was_shown and is_empty(value):
            result.new.append(question.name)
            continue
        if error is None:
            error = _check_rules(question, value, current, language)
            if question.or_other and _has_other(value):
                other = clean_text(data.get(f"{question.name}_other") or "").strip()[:500]
                result.values[f"{question.name}_other"] = other
                result.raw[f"{question.name}_other"] = other
                if not other and error is None:
                    error = _("Précisez votre réponse « Autre ».")
        if error:
            result.errors[question.name] = error
            continue
        result.values[question.name] = value
        current[question.name] = value
    return result


def check_whole(form: Form, pages: list[Group], data, shown: set[str], communes=None, language: str = "fr") -> PageResult:
    """Read and check a whole questionnaire sent at once (the one-page layout), page after page so
    that each page's conditions see the answers of the pages before it. ``shown``: the questions
    that were on the respondent's page. Output: one :class:`PageResult` for all the pages."""
    whole = PageResult()
    answers: dict[str, Any] = {}
    for page in pages:
        result = check_page(form, page, data, answers, communes, language, shown=shown)
        for name in ("values", "errors", "raw"):
            getattr(whole, name).update(getattr(result, name))
        whole.new += result.new
        answers.update(result.values)
    return whole


def _has_other(value) -> bool:
    return value == "other" or (isinstance(value, list) and "other" in value)


def _check_rules(question: Question, value, answers: dict, language: str) -> str | None:
    if is_empty(value):
        if question.required:
            return text(question.required_message, language) or _("Cette question est obligatoire.")
        return None
    if question.constraint and not expressions.evaluate_condition(question.constraint, answers, current=value):
        return text(question.constraint_message, language) or _("Cette réponse n'est pas acceptée.")
    return None


def final_check(form: Form, answers: dict, pages: list[Group]) -> tuple[dict, int | None]:
    """Before storing: drop answers to questions no longer relevant and find the first page whose
    required questions are unanswered. Output: (cleaned answers, index of that page or None)."""
    cleaned = dict(answers)
    conditions = parents_relevance(form)
    first_missing = None
    for index, page in enumerate(pages):
        for question, _group in page_questions(page):
            if question.type == "note":
                continue
            if not relevant(question, cleaned, conditions.get(question.name, [])):
                cleaned.pop(question.name, None)
                cleaned.pop(f"{question.name}_other", None)
                continue
            if question.required and is_empty(cleaned.get(question.name)) and first_missing is None:
                first_missing = index
    return cleaned, first_missing


def missing_required(form: Form, answers: dict) -> list[str]:
    """Required questions asked (given ``answers``) and left unanswered, in questionnaire order."""
    conditions = parents_relevance(form)
    return [question.name for question in form.questions()
            if question.type != "note" and question.required and is_empty(answers.get(question.name))
            and relevant(question, answers, conditions.get(question.name, []))]
