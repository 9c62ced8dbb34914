"""Public answering (no JavaScript needed: plain forms, POST/redirect/GET) and a signed-in
respondent's own answers. Answers are checked by :mod:`..answering` and stored by one service,
:func:`..services.store_submission`, whatever the layout."""

from __future__ import annotations

import csv
import io
import re

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from atout.core import access
from atout.core.throttle import client_address
from atout.engine.formats.cells import safe_row
from atout.engine.formats.xlsform import Group

from .. import answering, receipts, services
from ..models import Invitation, Response, Survey, token_hash
from ..structure import PROFILE_FIELDS, page_questions, pages, text
from .common import language, survey_or_404
from .pages import (
    SEARCH_ACTION,
    commune_searches,
    error_list,
    fields,
    page_context,
    relevant_pages,
    with_typed_communes,
)

HONEYPOT = "site_web"
#: A receipt id as models.new_receipt draws it (anything else names no response, and PostgreSQL
#: refuses some characters, such as NUL, in a query).
RECEIPT = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")


def _closed(request, survey: Survey, status: int = 200):
    return render(request, "consultation/closed.html", {"survey": survey, "title": survey.title(language()),
                                                        "results_public": services.is_public_result(survey)},
                  status=status)


def _refused(request, survey: Survey, refused: services.SubmissionRefused):
    """The page for a submission that must not be stored (closed survey, duplicate, used invitation)."""
    if refused.reason == "closed":
        return _closed(request, survey)
    status = 429 if refused.reason == "rate" else 409
    return render(request, "consultation/refused.html", {"survey": survey, "reason": refused.reason}, status=status)


def _robot(request, survey: Survey):
    # A robot filled the hidden field: nothing is stored.
    return render(request, "consultation/refused.html", {"survey": survey, "reason": "robot"}, status=400)


def _screened_out(request, survey: Survey):
    """The polite refusal of a respondent whose quota cell is full (nothing more is stored)."""
    return render(request, "consultation/screened_out.html", {"survey": survey, "title": survey.title(language())})


def _start_page(request, survey: Survey, *, invitation_token: str | None = None, errors=None, status=200):
    return render(request, "consultation/start.html", {
        "survey": survey, "title": survey.title(language()), "invitation_token": invitation_token,
        "errors": errors or {}, "honeypot": HONEYPOT, "pages": len(pages(services.current_form(survey))),
    }, status=status)


def _begin(request, survey: Survey, invitation: Invitation | None, invitation_token: str | None):
    """POST of the consent page: anti-abuse checks, then a partial response and its resume link."""
    if request.POST.get(HONEYPOT):
        return _robot(request, survey)
    if request.POST.get("consent") != "yes":
        return _start_page(request, survey, invitation_token=invitation_token,
                           errors={"consent": _("Cochez la case pour accepter de participer.")}, status=400)
    try:
        _response, token = services.start_response(survey, address=client_address(request), user=request.user,
                                                   invitation=invitation)
    except services.SubmissionRefused as refused:
        return _refused(request, survey, refused)
    return redirect("consultation:page", slug=survey.process.slug, survey=survey.slug, resume=token, page=1)


@access.public_with_own_lookup
def start(request, slug, survey):
    """The consent page of an open survey; POST starts answering."""
    found = survey_or_404(request, survey)
    if found.status != Survey.Status.OPEN or found.current_version_id is None:
        return _closed(request, found)
    if found.mode == Survey.Mode.INVITATION:
        return render(request, "consultation/refused.html", {"survey": found, "reason": "invitation-only"}, status=403)
    if found.layout == Survey.Layout.SINGLE:
        return _one_page(request, found)
    if request.method == "POST":
        return _begin(request, found, None, None)
    return _start_page(request, found)


@access.public_with_own_lookup
def invitation(request, slug, survey, token):
    """The consent page reached from a single-use invitation link."""
    found = survey_or_404(request, survey)
    if found.status != Survey.Status.OPEN or found.current_version_id is None:
        return _closed(request, found)
    invite = services.find_invitation(found, token)
    if invite is None:
        return render(request, "consultation/refused.html", {"survey": found, "reason": "invitation-unknown"}, status=404)
    if invite.used_at is not None:
        return render(request, "consultation/refused.html", {"survey": found, "reason": "invitation-used"}, status=410)
    if Response.objects.filter(invitation=invite).exists():
        return render(request, "consultation/refused.html", {"survey": found, "reason": "invitation-started"}, status=410)
    if found.layout == Survey.Layout.SINGLE:
        return _one_page(request, found, invite, token)
    if request.method == "POST":
        return _begin(request, found, invite, token)
    return _start_page(request, found, invitation_token=token)


def _one_page(request, survey: Survey, invite: Invitation | None = None, invitation_token: str | None = None):
    """The one-page layout: consent and every question on one page, stored in one request.

    Without JavaScript, questions opened by an answer appear when the page is sent (as on a page
    of the paged layout); nothing is stored until the whole response is valid."""
    form = services.current_form(survey)
    page_list = pages(form)
    communes = services.process_communes(survey.process)
    if request.method != "POST":
        return _one_page_form(request, survey, form, page_list, communes, invitation_token=invitation_token)
    if request.POST.get(HONEYPOT):
        return _robot(request, survey)
    shown = set(request.POST.getlist("shown"))
    data = with_typed_communes(request.POST, communes)
    result = answering.check_whole(form, page_list, data, shown, communes, language())
    consent = request.POST.get("consent") == "yes"
    if request.POST.get("action") == SEARCH_ACTION:
        # A commune search: the page again with the matches, the answers kept, no error yet.
        result.errors.clear()
        return _one_page_form(request, survey, form, page_list, communes, result=result, consent=consent,
                              invitation_token=invitation_token, searches=commune_searches(request.POST), searching=True)
    cleaned, missing = answering.final_check(form, result.values, page_list)
    if missing is not None and not result.errors and not result.new:
        # A required question opened by a later answer: ask for it like any unanswered question.
        for name in answering.missing_required(form, cleaned):
            result.errors[name] = _("Cette question est obligatoire.")
    if result.errors or not consent or result.new:
        status = 400 if result.errors or not consent else 200
        return _one_page_form(request, survey, form, page_list, communes, result=result, consent=consent,
                              invitation_token=invitation_token, status=status)
    try:
        stored = services.store_submission(survey, cleaned, address=client_address(request), user=request.user,
                                           invitation=invite)
    except services.SubmissionRefused as refused:
        return _refused(request, survey, refused)
    if stored.status == Response.Status.SCREENED_OUT:
        return _screened_out(request, survey)
    # The receipt comes with the acknowledgement itself: no resume link exists to show it later.
    return receipts.acknowledgement(request, survey, stored, language())


def _one_page_form(request, survey, form, page_list, communes, *, result=None, consent=False, invitation_token=None,
                   status=200, searches=None, searching=False):
    reader = language()
    answers = result.values if result else {}
    sections, errors, shown = [], [], []
    for page in page_list:
        drawn = fields(form, page, answers, reader, communes, result, searches=searches)
        if not drawn:
            continue
        sections.append({"title": text(page.labels, reader), "fields": drawn})
        shown += [field["name"] for item in drawn for field in item.get("rows", [item])]
        errors += error_list(drawn)
    consent_error = (_("Cochez la case pour accepter de participer.")
                     if result is not None and not consent and not searching else None)
    if consent_error:
        errors.insert(0, {"name": "consent", "label": _("Vos données"), "error": consent_error})
    return render(request, "consultation/one_page.html", {
        "survey": survey, "title": survey.title(reader), "sections": sections, "errors": errors, "shown": shown,
        "honeypot": HONEYPOT, "consent": consent, "consent_error": consent_error, "invitation_token": invitation_token,
        "new_questions": bool(result and result.new),
    }, status=status)


def _response(survey: Survey, resume: str) -> Response:
    found = Response.objects.filter(survey=survey, resume_hash=token_hash(resume)).first()
    if found is None:
        raise Http404
    return found


@access.public_with_own_lookup
def resume(request, slug, survey, resume):
    """The resume link: back to the first page, or to the receipt when already sent."""
    found = survey_or_404(request, survey)
    response = _response(found, resume)
    if response.status == Response.Status.SUBMITTED:
        return redirect("consultation:receipt", slug=slug, survey=survey, resume=resume)
    return redirect("consultation:page", slug=slug, survey=survey, resume=resume, page=1)


@access.public_with_own_lookup
def answer_page(request, slug, survey, resume, page):
    """One page of questions. POST checks it on the server; valid answers are kept and the next
    page shown (POST/redirect/GET); on the last page the whole response is stored at once."""
    found = survey_or_404(request, survey)
    response = _response(found, resume)
    if response.status == Response.Status.SUBMITTED:
        return redirect("consultation:receipt", slug=slug, survey=survey, resume=resume)
    if response.status == Response.Status.SCREENED_OUT:
        return _screened_out(request, found)
    if found.status != Survey.Status.OPEN:
        return _closed(request, found)
    form = services.version_form(response.version_id)
    page_list = pages(form)
    index = page - 1
    if not 0 <= index < len(page_list):
        raise Http404
    answers = dict(response.progress)
    if request.method != "POST":
        return render(request, "consultation/page.html", page_context(found, response, form, index, answers))
    communes = services.process_communes(found.process)
    result = answering.check_page(form, page_list[index], with_typed_communes(request.POST, communes), answers, communes,
                                  language())
    action = request.POST.get("action", "next")
    answers.update(result.values)
    response.progress = answers
    response.save(update_fields=["progress"])
    if action == SEARCH_ACTION:
        # A commune search: the same page with the matches to choose from, answers kept, no error yet.
        result.errors.clear()
        return render(request, "consultation/page.html", page_context(found, response, form, index, answers, result,
                                                                        searches=commune_searches(request.POST)))
    shown_pages = relevant_pages(form, answers)
    if action == "back":
        earlier = [i for i in shown_pages if i < index]
        return redirect("consultation:page", slug=slug, survey=survey, resume=resume, page=(earlier[-1] + 1) if earlier else 1)
    if action == "later":
        messages.info(request, _("Vos réponses sont enregistrées. Reprenez plus tard avec le lien de cette page."))
        return redirect("consultation:page", slug=slug, survey=survey, resume=resume, page=page)
    if result.errors:
        return render(request, "consultation/page.html", page_context(found, response, form, index, answers, result),
                      status=400)
    if _has_profile_questions(page_list[index]) and services.screen_out_if_full(response, answers) is not None:
        return _screened_out(request, found)
    if result.new and action == "next":
        # Without JavaScript, questions opened by an answer on this page appear now.
        context = page_context(found, response, form, index, answers, result)
        context["new_questions"] = True
        return render(request, "consultation/page.html", context)
    later = [i for i in shown_pages if i > index]
    if later:
        return redirect("consultation:page", slug=slug, survey=survey, resume=resume, page=later[0] + 1)
    cleaned, missing = answering.final_check(form, answers, page_list)
    if missing is not None:
        messages.error(request, _("Des réponses obligatoires manquent sur cette page."))
        return redirect("consultation:page", slug=slug, survey=survey, resume=resume, page=missing + 1)
    try:
        stored = services.store_submission(found, cleaned, partial=response, address=client_address(request))
    except services.SubmissionRefused as refused:
        return _refused(request, found, refused)
    if stored.status == Response.Status.SCREENED_OUT:
        return _screened_out(request, found)
    return redirect("consultation:receipt", slug=slug, survey=survey, resume=resume)


def _has_profile_questions(page: Group) -> bool:
    return any(question.name in PROFILE_FIELDS for question, _group in page_questions(page))


@access.public_with_own_lookup
def receipt(request, slug, survey, resume):
    """After submission: the receipt id, to quote when asking about one's answers."""
    found = survey_or_404(request, survey)
    response = _response(found, resume)
    if response.status != Response.Status.SUBMITTED:
        return redirect("consultation:page", slug=slug, survey=survey, resume=resume, page=1)
    return render(request, "consultation/receipt.html", receipts.context(found, response, language()))


@access.participant
def my_responses(request, slug):
    """A signed-in respondent's own answers in this process: see, download (CSV), delete."""
    mine = Response.objects.filter(user=request.user, survey__process=request.process, status=Response.Status.SUBMITTED)
    if request.method == "POST":
        receipt = request.POST.get("receipt", "")
        target = mine.filter(receipt=receipt).first() if RECEIPT.fullmatch(receipt) else None
        if target is not None:
            target.delete()
            messages.success(request, _("Vos réponses ont été supprimées."))
        return redirect("consultation:mine", slug=slug)
    if request.GET.get("format") == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["receipt", "survey", "question", "choice", "number", "text", "date"])
        for response in mine.select_related("survey"):
            for a in response.answers.order_by("question", "position"):
                writer.writerow(safe_row([response.receipt, response.survey.slug, a.question, a.choice, a.number, a.text,
                                          a.date or ""]))
        result = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        result["Content-Disposition"] = 'attachment; filename="mes-reponses.csv"'
        return result
    return render(request, "consultation/mine.html", {"process": request.process,
                                                      "responses": mine.select_related("survey").order_by("-submitted_at")})
