"""URL arguments of the consultation views for the permission matrix (tests/test_permissions.py)."""

from atout.consultation import services
from atout.engine.formats.xlsform import Choice, Form, Group, Question


def samples(process) -> dict:
    form = Form(title="Échantillon", id="echantillon_permissions", version=None, default_language="Français (fr)",
                languages=["Français (fr)"], items=[Group(name="p1", labels={"Français (fr)": "Page"}, children=[
                    Question(name="q1", type="select_one", list_name="on", labels={"Français (fr)": "Q1"},
                             choices=[Choice("o", {"Français (fr)": "Oui"}), Choice("n", {"Français (fr)": "Non"})]),
                ])])
    survey = services.import_form(form, process, status="open")
    partial, resume = services.start_response(survey)
    submitted, done = services.start_response(survey)
    services.store_submission(submitted.survey, {"q1": "o"}, partial=submitted)
    token = services.create_invitations(survey, 1)[0]
    base = {"slug": process.slug, "survey": survey.slug}
    return {
        "consultation:start": base,
        "consultation:invitation": {**base, "token": token},
        "consultation:resume": {**base, "resume": resume},
        "consultation:page": {**base, "resume": resume, "page": 1},
        "consultation:receipt": {**base, "resume": done},
        "consultation:builder": base,
        "consultation:preview": base,
        "consultation:edit_question": {**base, "name": "q1"},
        "consultation:quotas": base,
        "consultation:invitations": base,
        "consultation:results": base,
        "consultation:public_results": base,
        "consultation:weighting": base,
        "consultation:barometer": base,
        "consultation:export": {**base, "fmt": "csv"},
        "consultation:export_xlsform": base,
    }
