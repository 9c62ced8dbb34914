"""URL arguments of the fieldwork pages for the permission matrix (tests/test_permissions.py)."""

import datetime as dt


def samples(process):
    from atout.fieldwork.attachments import save_attachment
    from atout.fieldwork.coding import codebook_for
    from atout.fieldwork.models import Code, Contribution, ContributionImport, Session, Theme, ThemeRun

    session = Session.objects.create(process=process, title="Séance témoin", kind=Session.Kind.PUBLIC_MEETING,
                                     date=dt.date(2026, 11, 1), transcript="Un élu : Bonjour. Une habitante : Merci.")
    attachment = save_attachment(session, "note.txt", "Note de séance.".encode(), label="Note")
    code = Code.objects.create(codebook=codebook_for(process), name="Code témoin")
    batch = ContributionImport.objects.create(process=process, platform="csv", file_name="avis.csv", count=1)
    contribution = Contribution.objects.create(batch=batch, process=process, platform="csv", external_id="1",
                                               text="Plus de trains.")
    run = ThemeRun.objects.create(process=process, status=ThemeRun.Status.DONE, progress=100,
                                  result={"answers": {"c1": [1]}, "segments": {}, "spread": []})
    Theme.objects.create(run=run, number=1, label="Transports", terms=["train"], size=1, quotes=["Plus de trains."],
                         quote_ids=[f"c{contribution.pk}"])
    answer = open_answer(process, "Plus de trains le soir.")
    from atout.fieldwork.models import Document, Excerpt

    document = Document.objects.create(process=process, title="Document témoin", kind="pdf", text="Un texte.\n\nUn autre.")
    excerpt = Excerpt.objects.create(process=process, document=document, start=0, end=9, text="Un texte.")
    base = {"slug": process.slug}
    return {
        "fieldwork:session": {**base, "session": session.pk},
        "fieldwork:session_edit": {**base, "session": session.pk},
        "fieldwork:transcript_upload": {**base, "session": session.pk},
        "fieldwork:attachment_upload": {**base, "session": session.pk},
        "fieldwork:code_session": {**base, "session": session.pk},
        "fieldwork:attachment": {**base, "attachment": attachment.pk},
        "fieldwork:code": {**base, "code": code.pk},
        "fieldwork:batch": {**base, "batch": batch.pk},
        "fieldwork:code_contribution": {**base, "contribution": contribution.pk},
        "fieldwork:theme_run": {**base, "run": run.pk},
        "fieldwork:theme_edit": {**base, "run": run.pk},
        "fieldwork:theme": {**base, "run": run.pk, "theme": 1},
        "fieldwork:code_answer": {**base, "answer": answer.pk},
        "fieldwork:document": {**base, "document": document.pk},
        "fieldwork:excerpt_evidence": {**base, "excerpt": excerpt.pk},
    }


def open_answer(process, text: str, *, zone=None, profile_status: str = "", slug: str = "temoin"):
    """A submitted survey response of ``process`` with one open-text answer."""
    from atout.consultation.models import Answer, Response, Survey, SurveyVersion

    survey, _created = Survey.objects.get_or_create(process=process, slug=slug, defaults={"title_fr": "Questionnaire témoin"})
    version, _created = SurveyVersion.objects.get_or_create(survey=survey, number=1, defaults={"structure": {}})
    response = Response.objects.create(survey=survey, version=version, status="submitted", zone=zone,
                                       profile_status=profile_status)
    return Answer.objects.create(survey=survey, response=response, question="idees", text=text)
