"""Editing a survey's draft question by question: the checks shared by "add" and "edit" in the
builder, renaming with its references, and deleting only what nothing else refers to.

Pure functions on the engine's :class:`Form` (no database). They take the values of the builder's
question form already read by :class:`atout.consultation.forms.QuestionForm` (texts stripped,
``required`` a boolean, ``minimum``/``maximum`` numbers or None) and return their errors as a dict
``form field → message``, which the form puts at each field.

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


def check_expression(values, column: str, names: set[str], errors: dict) -> str | None:
    """The expression of ``column`` (None when empty) after parsing it and checking that every
    ``${name}`` is a question of the draft; problems go to ``errors[column]``."""
    expression = (values.get(column) or "").strip()
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


def build_question(form: Form, values, *, original: Question | None = None) -> tuple[Question, dict[str, str]]:
    """A question from the builder's form ``values`` (see the module's docstring), checked against
    the draft ``form``. For an edit, ``original`` is the question as it is: its type cannot change
    (answers already given would not fit) and its name may.

    Output: (question, errors) — ``errors`` maps a form field to its message (empty when valid)."""
    errors: dict[str, str] = {}
    name = (values.get("name") or "").strip()
    kind = kind_of(original) if original is not None else (values.get("type") or "")
    taken = all_names(form) - ({original.name} if original is not None else set())
    if not NAME_RE.fullmatch(name):
        errors["name"] = _("Le nom doit commencer par une lettre et ne contenir que lettres, chiffres et _.")
    elif name in taken or name in PROFILE_FIELDS or name == PROFILE_GROUP:
        errors["name"] = _("Le nom « %(name)s » est déjà utilisé.") % {"name": name}
    if kind not in dict(QUESTION_TYPE_CODES):
        errors["type"] = _("Type de question inconnu.")
    label_fr = (values.get("label_fr") or "").strip()
    if not label_fr:
        errors["label_fr"] = _("Le libellé en français est obligatoire.")
    # A question may refer to itself only as "." (its own value), never by name.
    names = taken
    relevant = check_expression(values, "relevant", names, errors)
    constraint = check_expression(values, "constraint", names, errors)

    def texts(prefix: str) -> dict[str, str]:
        fr, en = (values.get(f"{prefix}_fr") or "").strip(), (values.get(f"{prefix}_en") or "").strip()
        return {**({FR: fr} if fr else {}), **({EN: en} if en else {})}

    question = Question(
        name=name, type="text" if kind == "long_text" else kind, labels=texts("label"), hints=texts("hint"),
        required=bool(values.get("required")), relevant=relevant, constraint=constraint,
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
        question.choices = parse_choices(values.get("choices") or "")
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
        _bounds(question, values.get("minimum"), values.get("maximum"), errors)
    return question, errors


def _bounds(question: Question, low: float | None, high: float | None, errors: dict) -> None:
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


def find_question(form: Form, name: str) -> Question | None:
    """The question ``name`` of the draft (None when there is none, or when ``name`` is a page)."""
    located = item_path(form.items, name)
    if not located or isinstance(located[0][located[1]], Group):
        return None
    return located[0][located[1]]


def replace_question(form: Form, name: str, question: Question) -> list[str]:
    """Put ``question`` (checked by :func:`build_question`) in place of the question ``name`` of the
    draft; a rename carries to every reference. Output: the items whose references were updated."""
    container, index = item_path(form.items, name)
    container[index] = question
    return rename_references(form, name, question.name) if question.name != name else []


def add_question(form: Form, question: Question, page: str = "") -> None:
    """Append ``question`` (checked by :func:`build_question`) to the page ``page`` of the draft, or
    after the last item when there is no such page."""
    located = item_path(form.items, page) if page else None
    if located and isinstance(located[0][located[1]], Group):
        located[0][located[1]].children.append(question)
    else:
        form.items.append(question)


def add_page(form: Form, name: str, label: str) -> None:
    """Append an empty page ``name`` titled ``label`` to the draft (``name`` checked by the caller)."""
    form.items.append(Group(name=name, labels={FR: label or name}, appearance="field-list"))


def move_item(form: Form, name: str, step: int) -> None:
    """Move the question or page ``name`` one place up (``step`` −1) or down (+1) among its siblings."""
    located = item_path(form.items, name)
    if located:
        container, index = located
        other = index + step
        if 0 <= other < len(container):
            container[index], container[other] = container[other], container[index]


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
