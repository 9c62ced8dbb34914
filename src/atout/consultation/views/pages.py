"""A questionnaire page as the templates draw it: one entry per question (matrices grouped), with
its options, the value given and its error. Used by answering (:mod:`.public`) and by the team's
preview (:mod:`.team`)."""

from __future__ import annotations

from atout.engine import placenames
from atout.engine.formats.xlsform import Form, Group

from .. import answering, services
from ..structure import page_questions, pages, parents_relevance, text
from .common import language


def relevant_pages(form: Form, answers: dict) -> list[int]:
    """Indexes of the pages with at least one question asked, given the answers so far."""
    conditions = parents_relevance(form)
    shown = []
    for index, page in enumerate(pages(form)):
        if any(answering.relevant(q, answers, conditions.get(q.name, [])) for q, _g in page_questions(page)):
            shown.append(index)
    return shown


#: Suffix of the search box of a commune question (``profil_commune__recherche``).
SEARCH_SUFFIX = "__recherche"
#: The value of the submit button that searches communes instead of going on.
SEARCH_ACTION = "search"


def commune_searches(data) -> dict[str, str]:
    """Question name → the text typed in its commune search box (POST data)."""
    return {key[: -len(SEARCH_SUFFIX)]: str(value).strip() for key, value in data.items()
            if key.endswith(SEARCH_SUFFIX) and str(value).strip()}


def with_typed_communes(data, communes):
    """The POST data where a commune typed in full but not chosen from the list counts as chosen:
    "valence" typed then "Suivant" is Valence when exactly one commune has that name."""
    typed = {name: term for name, term in commune_searches(data).items() if not data.get(name)}
    if not typed:
        return data
    data = data.copy()
    for name, term in typed.items():
        found = placenames.exact(communes, term)
        if found is not None:
            data[name] = found[0]
    return data


def _commune_options(value, communes, search: str) -> list[tuple[str, dict]]:
    """The communes offered: those matching the search, else the one already chosen."""
    if search:
        found = placenames.search(communes, search)
    else:
        found = [(code, name) for code, name in communes if code == value]
    return [(code, {"default": name}) for code, name in found]


def fields(form: Form, page: Group, answers: dict, reader: str, communes, result=None, preview=False,
           searches: dict[str, str] | None = None) -> list[dict]:
    """What the template needs to draw a page: one entry per question, matrices grouped (in a
    preview, every question, whatever its display condition). ``reader``: "fr" or "en";
    ``searches``: the text typed in each commune question's search box (its matches are offered)."""
    conditions = parents_relevance(form)
    errors = result.errors if result else {}
    raw = result.raw if result else {}
    items: list[dict] = []
    matrices: dict[str, dict] = {}
    for question, group in page_questions(page):
        if not preview and not answering.relevant(question, answers, conditions.get(question.name, [])):
            continue
        value = raw.get(question.name, answers.get(question.name, ""))
        field = {
            "name": question.name, "type": question.type, "label": text(question.labels, reader),
            "hint": text(question.hints, reader), "required": question.required, "error": errors.get(question.name),
            "value": value, "long": question.long_text, "or_other": question.or_other,
            "other_value": raw.get(f"{question.name}_other", answers.get(f"{question.name}_other", "")),
        }
        if question.type in ("select_one", "likert", "select_multiple", "commune", "rank"):
            selected = value if isinstance(value, list) else [value]
            if question.type == "commune":
                field["search"] = (searches or {}).get(question.name, "")
                options = _commune_options(value, communes, field["search"])
            else:
                options = answering.visible_choices(question, answers, communes)
            field["options"] = [{"code": code, "label": text(labels, reader) or code, "checked": code in selected}
                                for code, labels in options]
            if question.type == "rank":
                ranks = value if isinstance(value, dict) else {code: str(i + 1) for i, code in enumerate(value or [])}
                for option in field["options"]:
                    option["rank"] = ranks.get(option["code"], "")
                field["positions"] = list(range(1, len(options) + 1))
        if question.type == "score":
            low, high = question.bounds or (0, 10)
            field["options"] = [{"code": str(v), "label": str(v), "checked": str(value) == str(v)}
                                for v in range(int(low), int(high) + 1)]
        if question.type in ("integer", "decimal") and question.bounds:
            field["min"], field["max"] = question.bounds
        if group is not None and group.is_matrix and question.type in ("select_one", "likert"):
            matrix = matrices.get(group.name)
            if matrix is None:
                matrix = {"type": "matrix", "name": group.name, "label": text(group.labels, reader),
                          "columns": [o["label"] for o in field["options"]], "rows": []}
                matrices[group.name] = matrix
                items.append(matrix)
            matrix["rows"].append(field)
            matrix["error"] = matrix.get("error") or field["error"]
            continue
        items.append(field)
    return items


def error_list(items: list[dict]) -> list[dict]:
    """The fields in error of a drawn page, for the summary at its top (links to each field)."""
    return [{"name": field["name"], "label": field["label"], "error": field["error"]}
            for item in items for field in item.get("rows", [item]) if field.get("error")]


def page_context(survey, response, form: Form, index: int, answers: dict, result=None, preview=False,
                 searches: dict[str, str] | None = None) -> dict:
    """The context of ``consultation/page.html`` for the page ``index`` of ``form``."""
    reader = language()
    page_list = pages(form)
    shown = list(range(len(page_list))) if preview else relevant_pages(form, answers)
    page = page_list[index]
    position = shown.index(index) + 1 if index in shown else 1
    drawn = fields(form, page, answers, reader, services.process_communes(survey.process), result, preview, searches)
    return {
        "survey": survey, "title": survey.title(reader), "response": response, "page_title": text(page.labels, reader),
        "fields": drawn, "errors": error_list(drawn), "position": position, "total": len(shown),
        "is_last": index == (shown[-1] if shown else index), "preview": preview,
        "simulated": False,
    }
