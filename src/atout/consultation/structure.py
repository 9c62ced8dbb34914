"""A survey's structure: the engine's :class:`Form` stored as JSON, cut into pages, with built-in
profile questions mapped to INSEE categories.

Pure functions (no database): ``form_to_dict``/``form_from_dict`` serialise the engine's form,
``pages`` cuts it into answering pages, ``text`` picks a label in the reader's language.
"""

from __future__ import annotations

from dataclasses import asdict

from atout.engine.formats.xlsform import Choice, Form, Group, Question

PROFILE_GROUP = "profil"
PROFILE_FIELDS = {  # question name → Response column
    "profil_age": "age_band",
    "profil_sexe": "sex",
    "profil_commune": "commune",
    "profil_statut": "profile_status",
}
FR, EN = "Français (fr)", "English (en)"
AGE_BANDS = [("15-29", "15 à 29 ans", "15 to 29"), ("30-44", "30 à 44 ans", "30 to 44"),
             ("45-59", "45 à 59 ans", "45 to 59"), ("60-74", "60 à 74 ans", "60 to 74"),
             ("75+", "75 ans ou plus", "75 or over")]
SEXES = [("F", "Femme", "Woman"), ("M", "Homme", "Man")]
STATUSES = [
    ("resident", "Habitant·e", "Resident"), ("young", "Jeune (moins de 30 ans)", "Young person under 30"),
    ("business", "Chef·fe d'entreprise", "Business leader"), ("expert", "Expert·e", "Expert"),
    ("elected", "Élu·e", "Elected official"), ("association", "Membre d'une association", "Association member"),
    ("health", "Professionnel·le de santé", "Health professional"), ("athlete", "Sportif·ve", "Athlete"),
    ("visitor", "Visiteur·se / non-résident·e", "Visitor, non-resident"), ("student", "Étudiant·e", "Student"),
]


# ---------------------------------------------------------------------------------------------
# Serialisation


def form_to_dict(form: Form) -> dict:
    """The form as JSON-able data (tuples become lists)."""
    data = asdict(form)
    data["items"] = [_item_dict(item) for item in form.items]
    return data


def _item_dict(item: Question | Group) -> dict:
    if isinstance(item, Group):
        return {"kind": "group", "name": item.name, "labels": item.labels, "relevant": item.relevant,
                "appearance": item.appearance, "children": [_item_dict(c) for c in item.children]}
    data = asdict(item)
    data["kind"] = "question"
    data["bounds"] = list(item.bounds) if item.bounds is not None else None
    return data


def form_from_dict(data: dict) -> Form:
    """Inverse of :func:`form_to_dict`."""
    return Form(
        title=data.get("title", ""), id=data.get("id", "form"), version=data.get("version"),
        default_language=data.get("default_language", FR), languages=list(data.get("languages") or [FR]),
        items=[_item_from_dict(item) for item in data.get("items", [])],
    )


def _item_from_dict(data: dict) -> Question | Group:
    if data.get("kind") == "group":
        return Group(name=data["name"], labels=dict(data.get("labels") or {}), relevant=data.get("relevant"),
                     appearance=data.get("appearance"), children=[_item_from_dict(c) for c in data.get("children", [])])
    fields = {k: v for k, v in data.items() if k != "kind"}
    fields["choices"] = [Choice(name=c["name"], labels=dict(c.get("labels") or {}), properties=dict(c.get("properties") or {}))
                         for c in fields.get("choices") or []]
    bounds = fields.get("bounds")
    fields["bounds"] = tuple(bounds) if bounds is not None else None
    return Question(**fields)


def empty_form(title: str, form_id: str) -> Form:
    return Form(title=title, id=form_id, version=None, default_language=FR, languages=[FR, EN], items=[])


# ---------------------------------------------------------------------------------------------
# Profile questions


def _choices(rows) -> list[Choice]:
    return [Choice(name=code, labels={FR: fr, EN: en}) for code, fr, en in rows]


def profile_group(languages: list[str]) -> Group:
    """The built-in profile page: INSEE age bands, sex, commune of residence, status."""
    def labels(fr: str, en: str) -> dict[str, str]:
        return {FR: fr, EN: en}

    return Group(name=PROFILE_GROUP, labels=labels("Votre profil", "About you"), appearance="field-list", children=[
        Question(name="profil_age", type="select_one", list_name="profil_age", choices=_choices(AGE_BANDS),
                 labels=labels("Votre âge", "Your age")),
        Question(name="profil_sexe", type="select_one", list_name="profil_sexe", choices=_choices(SEXES),
                 labels=labels("Vous êtes", "You are")),
        Question(name="profil_commune", type="commune", list_name="communes.csv",
                 labels=labels("Votre commune de résidence", "The town where you live"),
                 hints=labels("Laissez vide si vous n'habitez pas le territoire.",
                              "Leave empty if you do not live in the area.")),
        Question(name="profil_statut", type="select_one", list_name="profil_statut", choices=_choices(STATUSES),
                 labels=labels("Vous répondez surtout en tant que", "You answer mainly as")),
    ])


def with_profile(form: Form) -> Form:
    """The form with the profile page appended, unless it already has one."""
    names = {q.name for q in form.questions()} | {g.name for g in form.groups()}
    if PROFILE_GROUP in names or set(PROFILE_FIELDS) & names:
        return form
    form.items.append(profile_group(form.languages))
    for language in (FR, EN):
        if language not in form.languages:
            form.languages.append(language)
    return form


# ---------------------------------------------------------------------------------------------
# Pages and texts


def pages(form: Form) -> list[Group]:
    """One page per top-level group; consecutive top-level questions share a page."""
    result: list[Group] = []
    loose: list[Question] = []
    for item in form.items:
        if isinstance(item, Group):
            if loose:
                result.append(Group(name=f"page{len(result) + 1}", children=loose))
                loose = []
            result.append(item)
        else:
            loose.append(item)
    if loose:
        result.append(Group(name=f"page{len(result) + 1}", children=loose))
    return result


def page_questions(page: Group) -> list[tuple[Question, Group | None]]:
    """Questions of a page with the (nested) group that holds them, depth first."""
    found: list[tuple[Question, Group | None]] = []

    def visit(items, parent):
        for item in items:
            if isinstance(item, Group):
                visit(item.children, item)
            else:
                found.append((item, parent))

    visit(page.children, None)
    return found


def text(texts: dict[str, str] | None, language: str) -> str:
    """The text in ``language`` ('fr' or 'en'), falling back to French, then to any text."""
    if not texts:
        return ""
    wanted = [f"({language})", language]
    for key, value in texts.items():
        lowered = key.lower()
        if any(lowered.endswith(w) or lowered == w for w in wanted) and value:
            return value
    for key, value in texts.items():
        if key.lower().endswith("(fr)") or key == "default":
            return value
    return next(iter(texts.values()), "")


def question_map(form: Form) -> dict[str, Question]:
    return {q.name: q for q in form.questions()}


def parents_relevance(form: Form) -> dict[str, list[str]]:
    """Question name → relevance conditions of its enclosing groups (outermost first)."""
    found: dict[str, list[str]] = {}

    def visit(items, conditions):
        for item in items:
            if isinstance(item, Group):
                visit(item.children, conditions + ([item.relevant] if item.relevant else []))
            else:
                found[item.name] = conditions

    visit(form.items, [])
    return found
