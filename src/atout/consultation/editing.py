"""Editing a survey's draft question by question: the checks shared by "add" and "edit" in the
builder, renaming with its references, and deleting only what nothing else refers to.

Pure functions on the engine's :class:`Form` (no database). Errors are returned as a dict
``form field → message`` so the builder shows each one at its field.

Renaming a question **updates the references** ``${old}`` in every relevance condition, constraint
and choice filter of the draft (tokens of the safe expression language, never text inside quoted
strings). Deleting a question (or a page) that other questions refer to is **refused**, naming them.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from atout.engine import expressions
from atout.engine.formats.xlsform import Choice, Form, Group, Question

from .structure import EN, FR, PROFILE_FIELDS, PROFILE_GROUP

NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,60}")
CHOICE_KINDS = ("select_one", "select_multiple", "likert", "rank")
NUMBER_KINDS = ("integer", "decimal", "score")
#: Expression attributes of a question / a group that may reference other questions.
QUESTION_EXPRESSIONS = ("relevant", "constraint", "choice_filter")


def kind_of(question: Question) -> str:
    """The builder's type of a stored question (a multi-line text is "long_text")."""
    return "long_text" if question.long_text else question.type


def item_path(items, name):
    """(container list, index) of the item called ``name``, searching groups."""
    for index, item in enumerate(items):
        if item.name == name:
            return items, index
        if isinstance(item, Group):
            found = item_path(item.children, name)
            if found:
                return found
    return None


def all_names(form: Form) -> set[str]:
    return {q.name for q in form.questions()} | {g.name for g in form.groups()}


def parse_choices(raw: str) -> list[Choice]:
    """``code | libellé | English label`` lines → choices (codes made safe)."""
    choices = []
    for line in raw.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        code = re.sub(r"[^A-Za-z0-9_\-]", "_", parts[0])
        fr = parts[1] if len(parts) > 1 and parts[1] else parts[0]
        en = parts[2] if len(parts) > 2 and parts[2] else ""
        choices.append(Choice(name=code, labels={FR: fr, **({EN: en} if en else {})}))
    return choices


def choices_text(question: Question) -> str:
    """Inverse of :func:`parse_choices`, to fill the edit form."""
    lines = []
    for choice in question.choices:
        fr = choice.labels.get(FR) or next(iter(choice.labels.values()), "")
        en = choice.labels.get(EN, "")
        lines.append(" | ".join([choice.name, fr] + ([en] if en else [])))
    return "\n".join(lines)


def _number(raw: str) -> float | None:
    return float(raw.replace(",", ".")) if raw else None


def form_values(question: Question) -> dict[str, str]:
    """The edit form's initial values for ``question``."""
    low, high = question.bounds if question.bounds else (None, None)
    explicit = question.type == "score" or not question.constraint

    def fmt(value):
        return "" if value is None or not explicit else (str(int(value)) if float(value).is_integer() else str(value))

    return {
        "name": question.name, "type": kind_of(question), "label_fr": question.labels.get(FR, ""),
        "label_en": question.labels.get(EN, ""), "hint_fr": question.hints.get(FR, ""), "hint_en": question.hints.get(EN, ""),
        "required": "yes" if question.required else "", "relevant": question.relevant or "",
        "constraint": question.constraint or "", "constraint_message_fr": question.constraint_message.get(FR, ""),
        "constraint_message_en": question.constraint_message.get(EN, ""), "choices": choices_text(question),
        "minimum": fmt(low), "maximum": fmt(high),
    }


def check_expression(post, column: str, names: set[str], errors: dict) -> str | None:
    """The expression of ``column`` (None when empty) after parsing it and checking that every
    ``${name}`` is a question of the draft; problems go to ``errors[column]``."""
    expression = post.get(column, "").strip()
    if not expression:
        return None
    try:
        tree = expressions.parse(expression)
    except expressions.ExpressionError as exc:
        errors[column] = _("Expression invalide : %(error)s") % {"error": exc}
        return expression
    unknown = [r for r in expressions.references(tree) if r not in names]
    if unknown:
        errors[column] = _("Question inconnue dans l'expression : %(name)s") % {"name": unknown[0]}
    return expression


def build_question(form: Form, post, *, original: Question | None = None) -> tuple[Question, dict[str, str]]:
    """A question from the builder's form data, checked. For an edit, ``original`` is the question
    as it is: its type cannot change (answers already given would not fit) and its name may.

    Output: (question, errors) — ``errors`` maps a form field to its message (empty when valid)."""
    errors: dict[str, str] = {}
    name = post.get("name", "").strip()
    kind = kind_of(original) if original is not None else post.get("type", "")
    taken = all_names(form) - ({original.name} if original is not None else set())
    if not NAME_RE.fullmatch(name):
        errors["name"] = _("Le nom doit commencer par une lettre et ne contenir que lettres, chiffres et _.")
    elif name in taken or name in PROFILE_FIELDS or name == PROFILE_GROUP:
        errors["name"] = _("Le nom « %(name)s » est déjà utilisé.") % {"name": name}
    if kind not in dict(QUESTION_TYPE_CODES):
        errors["type"] = _("Type de question inconnu.")
    label_fr = post.get("label_fr", "").strip()
    if not label_fr:
        errors["label_fr"] = _("Le libellé en français est obligatoire.")
    # A question may refer to itself only as "." (its own value), never by name.
    names = taken
    relevant = check_expression(post, "relevant", names, errors)
    constraint = check_expression(post, "constraint", names, errors)

    def texts(prefix: str) -> dict[str, str]:
        fr, en = post.get(f"{prefix}_fr", "").strip(), post.get(f"{prefix}_en", "").strip()
        return {**({FR: fr} if fr else {}), **({EN: en} if en else {})}

    question = Question(
        name=name, type="text" if kind == "long_text" else kind, labels=texts("label"), hints=texts("hint"),
        required=post.get("required") == "yes", relevant=relevant, constraint=constraint,
        constraint_message=texts("constraint_message"),
        appearance="multiline" if kind == "long_text" else ("likert" if kind == "likert" else None),
    )
    if original is not None:
        # Kept as imported (XLSForm): what the builder's form does not show.
        question.appearance = original.appearance if kind not in ("long_text", "likert") else question.appearance
        question.required_message = original.required_message
        question.or_other = original.or_other
        question.choice_filter = original.choice_filter
    if kind in CHOICE_KINDS:
        question.choices = parse_choices(post.get("choices", ""))
        codes = [c.name for c in question.choices]
        if len(codes) < 2:
            errors["choices"] = _("Donnez au moins deux réponses possibles, une par ligne : code | libellé | label.")
        elif len(set(codes)) != len(codes):
            duplicate = next(c for c in codes if codes.count(c) > 1)
            errors["choices"] = _("Le code « %(code)s » apparaît deux fois.") % {"code": duplicate}
        if original is not None:
            # Extra columns of the choices sheet (used by choice filters) stay with their code.
            kept = {c.name: c.properties for c in original.choices}
            for choice in question.choices:
                choice.properties = dict(kept.get(choice.name) or {})
        question.list_name = f"l_{name}"
        if original is not None and original.list_name:
            question.list_name = original.list_name
            shared = any(q.list_name == original.list_name and q.name != original.name for q in form.questions())
            if shared and [(c.name, c.labels) for c in question.choices] != [(c.name, c.labels) for c in original.choices]:
                # The list is shared with other questions (XLSForm): edited choices get their own list.
                question.list_name = f"l_{name}"
    if kind == "commune":
        question.list_name = "communes.csv"
    if kind in NUMBER_KINDS:
        _bounds(question, post, errors)
    return question, errors


def _bounds(question: Question, post, errors: dict) -> None:
    try:
        low = _number(post.get("minimum", "").strip())
    except ValueError:
        errors["minimum"] = _("Saisissez un nombre.")
        return
    try:
        high = _number(post.get("maximum", "").strip())
    except ValueError:
        errors["maximum"] = _("Saisissez un nombre.")
        return
    if low is not None and high is not None and low > high:
        errors["maximum"] = _("Le maximum doit être supérieur ou égal au minimum.")
        return
    if question.type == "score":
        low, high = (0.0 if low is None else low), (10.0 if high is None else high)
        if not (float(low).is_integer() and float(high).is_integer()) or high - low > 100:
            errors["minimum"] = _("Une note va d'un entier à un autre (100 valeurs au plus).")
        question.bounds = (low, high)
        return
    if question.constraint:
        if low is not None or high is not None:
            errors["minimum"] = _("Donnez soit un minimum et un maximum, soit une contrainte, pas les deux.")
            return
        if "constraint" not in errors:
            found = expressions.numeric_bounds(question.constraint)
            question.bounds = found if found != (None, None) else None
        return
    question.bounds = (low, high) if low is not None or high is not None else None


def references_to(form: Form, name: str) -> list[str]:
    """Names of the questions and pages whose expressions refer to ``${name}``."""
    found = []

    def visit(items):
        for item in items:
            attributes = ("relevant",) if isinstance(item, Group) else QUESTION_EXPRESSIONS
            for attribute in attributes:
                expression = getattr(item, attribute)
                if expression and item.name != name:
                    try:
                        if name in expressions.references(expression):
                            found.append(item.name)
                            break
                    except expressions.ExpressionError:
                        continue
            if isinstance(item, Group):
                visit(item.children)

    visit(form.items)
    return found


def rename_in(expression: str | None, old: str, new: str) -> str | None:
    """``expression`` with every ``${old}`` reference (a token, not text in quotes) made ``${new}``."""
    if not expression:
        return expression
    try:
        tokens = expressions.tokenize(expression)
    except expressions.ExpressionError:
        return expression
    result, last = [], 0
    for token in tokens:
        if token.kind == "ref" and token.value == old:
            end = expression.find("}", token.offset + 2) + 1
            result += [expression[last:token.offset], "${" + new + "}"]
            last = end
    result.append(expression[last:])
    return "".join(result)


def rename_references(form: Form, old: str, new: str) -> list[str]:
    """Rewrite every reference to ``old`` as ``new`` in the draft; returns the items changed."""
    changed = []

    def visit(items):
        for item in items:
            attributes = ("relevant",) if isinstance(item, Group) else QUESTION_EXPRESSIONS
            for attribute in attributes:
                before = getattr(item, attribute)
                after = rename_in(before, old, new)
                if after != before:
                    setattr(item, attribute, after)
                    if item.name not in changed:
                        changed.append(item.name)
            if isinstance(item, Group):
                visit(item.children)

    visit(form.items)
    return changed


def edit_question(form: Form, name: str, post) -> tuple[Question | None, dict[str, str], list[str]]:
    """Apply the edit form to the question ``name`` of the draft (in place).

    Output: (the new question or None when invalid, errors by field, items whose references to a
    renamed question were updated)."""
    located = item_path(form.items, name)
    if not located or isinstance(located[0][located[1]], Group):
        return None, {"name": _("Question inconnue : %(name)s") % {"name": name}}, []
    container, index = located
    question, errors = build_question(form, post, original=container[index])
    if errors:
        return None, errors, []
    container[index] = question
    renamed = rename_references(form, name, question.name) if question.name != name else []
    return question, {}, renamed


def delete_item(form: Form, name: str) -> str | None:
    """Remove the question or page ``name`` from the draft; refused (message returned) when other
    items refer to it or to a question of the page."""
    located = item_path(form.items, name)
    if not located:
        return None
    container, index = located
    item = container[index]
    removed = {name} | ({q.name for q in Form(title="", id="", version=None, default_language=FR, languages=[FR],
                                                items=[item]).questions()} if isinstance(item, Group) else set())
    users = [u for r in sorted(removed) for u in references_to(form, r) if u not in removed]
    if users:
        return _("« %(name)s » ne peut pas être supprimé : %(users)s y font référence. Modifiez d'abord ces "
                 "conditions.") % {"name": name, "users": ", ".join(dict.fromkeys(users))}
    container.pop(index)
    return None


QUESTION_TYPE_CODES = [
    ("select_one", "Choix unique"), ("select_multiple", "Choix multiple"), ("likert", "Échelle de Likert"),
    ("score", "Note de 0 à 10"), ("integer", "Nombre entier"), ("decimal", "Nombre décimal"),
    ("text", "Texte court"), ("long_text", "Texte long"), ("date", "Date"), ("rank", "Classement"),
    ("commune", "Commune"), ("note", "Information"),
]
