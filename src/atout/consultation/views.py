"""Views of the consultation app: public answering (no JavaScript needed: plain forms,
POST/redirect/GET) and the team's back office (builder, XLSForm, invitations, results, weighting,
exports). Every view states its access level with one decorator of :mod:`atout.web.access`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from pathlib import Path

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from atout.engine.formats.cells import safe_row
from atout.engine.formats.errors import FormatError
from atout.engine.formats.xlsform import Group, write_xlsform
from atout.engine.weighting import RakingError
from atout.web import access
from atout.web.throttle import client_address
from atout.web.uploads import check_upload

from . import answering, editing, exports, quotas, receipts, results, services
from .models import Invitation, Response, Survey, token_hash
from .structure import (
    FR,
    PROFILE_FIELDS,
    empty_form,
    form_from_dict,
    form_to_dict,
    page_questions,
    pages,
    parents_relevance,
    text,
    with_profile,
)

HONEYPOT = "site_web"
QUESTION_TYPES = editing.QUESTION_TYPE_CODES
SEGMENT_LABELS = {"zone": "Sous-territoire", "age_band": "Tranche d'âge", "sex": "Sexe", "profile_status": "Statut"}


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def _survey(request, survey_slug: str) -> Survey:
    # The process comes with the survey (one query; the public answering views leave it to this).
    # The draft (JSON) is left out: it only matters to the builder; a published structure is read
    # and parsed once per process (services.version_form).
    found = services.find_survey(request.resolver_match.kwargs["slug"], survey_slug)
    if found is None:
        raise Http404
    request.process = found.process
    return found


def _client_address(request) -> str:
    # Only hashed (services.rate_key); behind reverse proxies, see ATOUT_TRUSTED_PROXIES.
    return client_address(request)


# ---------------------------------------------------------------------------------------------
# Public answering


def _closed(request, survey: Survey, status: int = 200):
    return render(request, "consultation/closed.html", {"survey": survey, "title": survey.title(_language())}, status=status)


def _refused(request, survey: Survey, refused: services.SubmissionRefused):
    """The page for a submission that must not be stored (closed survey, duplicate, used invitation)."""
    if refused.reason == "closed":
        return _closed(request, survey)
    status = 429 if refused.reason == "rate" else 409
    return render(request, "consultation/refused.html", {"survey": survey, "reason": refused.reason}, status=status)


def _start_page(request, survey: Survey, *, invitation_token: str | None = None, errors=None, status=200):
    return render(request, "consultation/start.html", {
        "survey": survey, "title": survey.title(_language()), "invitation_token": invitation_token,
        "errors": errors or {}, "honeypot": HONEYPOT, "pages": len(pages(services.current_form(survey))),
    }, status=status)


def _begin(request, survey: Survey, invitation: Invitation | None, invitation_token: str | None):
    """POST of the consent page: anti-abuse checks, then a partial response and its resume link."""
    if request.POST.get(HONEYPOT):
        # A robot filled the hidden field: answer as if all were well, store nothing.
        return render(request, "consultation/refused.html", {"survey": survey, "reason": "robot"}, status=400)
    if request.POST.get("consent") != "yes":
        return _start_page(request, survey, invitation_token=invitation_token,
                           errors={"consent": _("Cochez la case pour accepter de participer.")}, status=400)
    key = services.rate_key(_client_address(request))
    if not services.allow(key, survey.rate_limit):
        return _refused(request, survey, services.SubmissionRefused("rate"))
    response, token = services.start_response(survey, user=request.user, invitation=invitation)
    return redirect("consultation:page", slug=survey.process.slug, survey=survey.slug, resume=token, page=1)


@access.public_with_own_lookup
def start(request, slug, survey):
    """The consent page of an open survey; POST starts answering."""
    found = _survey(request, survey)
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
    found = _survey(request, survey)
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
    places = services.process_places(survey.process)
    if request.method != "POST":
        return _one_page_form(request, survey, form, page_list, places, invitation_token=invitation_token)
    if request.POST.get(HONEYPOT):
        return render(request, "consultation/refused.html", {"survey": survey, "reason": "robot"}, status=400)
    shown = set(request.POST.getlist("shown"))
    result = answering.check_whole(form, page_list, request.POST, shown, places.communes, _language())
    consent = request.POST.get("consent") == "yes"
    cleaned, missing = answering.final_check(form, result.values, page_list)
    if missing is not None and not result.errors and not result.new:
        # A required question opened by a later answer: ask for it like any unanswered question.
        for name in answering.missing_required(form, cleaned):
            result.errors[name] = _("Cette question est obligatoire.")
    if result.errors or not consent or result.new:
        status = 400 if result.errors or not consent else 200
        return _one_page_form(request, survey, form, page_list, places, result=result, consent=consent,
                              invitation_token=invitation_token, status=status)
    key = services.rate_key(_client_address(request))
    try:
        stored = services.submit_whole(survey, cleaned, key=key, rate_limit=survey.rate_limit, user=request.user,
                                       invitation=invite, places=places)
    except services.SubmissionRefused as refused:
        return _refused(request, survey, refused)
    if stored.status == Response.Status.SCREENED_OUT:
        return _screened_out(request, survey)
    # The receipt comes with the acknowledgement itself: no resume link exists to show it later.
    return receipts.acknowledgement(request, survey, stored, _language())


def _one_page_form(request, survey, form, page_list, places, *, result=None, consent=False, invitation_token=None,
                   status=200):
    language = _language()
    answers = result.values if result else {}
    sections, errors, shown = [], [], []
    for page in page_list:
        fields = _fields(form, page, answers, language, places.communes, result)
        if not fields:
            continue
        sections.append({"title": text(page.labels, language), "fields": fields})
        for item in fields:
            for field in item.get("rows", [item]):
                shown.append(field["name"])
                if field.get("error"):
                    errors.append({"name": field["name"], "label": field["label"], "error": field["error"]})
    consent_error = _("Cochez la case pour accepter de participer.") if result is not None and not consent else None
    if consent_error:
        errors.insert(0, {"name": "consent", "label": _("Vos données"), "error": consent_error})
    return render(request, "consultation/one_page.html", {
        "survey": survey, "title": survey.title(language), "sections": sections, "errors": errors, "shown": shown,
        "honeypot": HONEYPOT, "consent": consent, "consent_error": consent_error, "invitation_token": invitation_token,
        "new_questions": bool(result and result.new),
    }, status=status)


def _response(survey: Survey, resume: str) -> Response:
    found = Response.objects.filter(survey=survey, resume_hash=token_hash(resume)).first()
    if found is None:
        raise Http404
    return found


def _relevant_pages(form, answers) -> list[int]:
    """Indexes of the pages with at least one question asked, given the answers so far."""
    conditions = parents_relevance(form)
    shown = []
    for index, page in enumerate(pages(form)):
        if any(answering.relevant(q, answers, conditions.get(q.name, [])) for q, _g in page_questions(page)):
            shown.append(index)
    return shown


@access.public_with_own_lookup
def resume(request, slug, survey, resume):
    """The resume link: back to the first page, or to the receipt when already sent."""
    found = _survey(request, survey)
    response = _response(found, resume)
    if response.status == Response.Status.SUBMITTED:
        return redirect("consultation:receipt", slug=slug, survey=survey, resume=resume)
    return redirect("consultation:page", slug=slug, survey=survey, resume=resume, page=1)


def _fields(form, page: Group, answers: dict, language: str, communes, result=None, preview=False) -> list[dict]:
    """What the template needs to draw a page: one entry per question, matrices grouped
    (in a preview, every question, whatever its display condition)."""
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
            "name": question.name, "type": question.type, "label": text(question.labels, language),
            "hint": text(question.hints, language), "required": question.required, "error": errors.get(question.name),
            "value": value, "long": question.long_text, "or_other": question.or_other,
            "other_value": raw.get(f"{question.name}_other", answers.get(f"{question.name}_other", "")),
        }
        if question.type in ("select_one", "likert", "select_multiple", "commune", "rank"):
            selected = value if isinstance(value, list) else [value]
            options = answering.visible_choices(question, answers, communes)
            field["options"] = [{"code": code, "label": text(labels, language) or code, "checked": code in selected}
                                for code, labels in options]
            if question.type == "rank":
                ranks = value if isinstance(value, dict) else {code: str(i + 1) for i, code in enumerate(value or [])}
                for option in field["options"]:
                    option["rank"] = ranks.get(option["code"], "")
                field["positions"] = list(range(1, len(options) + 1))
        if question.type == "score":
            low, high = question.bounds or (0, 10)
            field["options"] = [{"code": str(v), "label": str(v), "checked": str(value) == str(v)} for v in range(int(low), int(high) + 1)]
        if question.type in ("integer", "decimal") and question.bounds:
            field["min"], field["max"] = question.bounds
        if group is not None and group.is_matrix and question.type in ("select_one", "likert"):
            matrix = matrices.get(group.name)
            if matrix is None:
                matrix = {"type": "matrix", "name": group.name, "label": text(group.labels, language),
                          "columns": [o["label"] for o in field["options"]], "rows": []}
                matrices[group.name] = matrix
                items.append(matrix)
            matrix["rows"].append(field)
            matrix["error"] = matrix.get("error") or field["error"]
            continue
        items.append(field)
    return items


def _page_context(request, survey, response, form, index, answers, result=None, preview=False):
    language = _language()
    page_list = pages(form)
    shown = list(range(len(page_list))) if preview else _relevant_pages(form, answers)
    page = page_list[index]
    position = shown.index(index) + 1 if index in shown else 1
    communes = services.process_communes(survey.process)
    fields = _fields(form, page, answers, language, communes, result, preview)
    errors = []
    for item in fields:
        for field in item.get("rows", [item]):
            if field.get("error"):
                errors.append({"name": field["name"], "label": field["label"], "error": field["error"]})
    return {
        "survey": survey, "title": survey.title(language), "response": response, "page_title": text(page.labels, language),
        "fields": fields, "errors": errors, "position": position, "total": len(shown),
        "is_last": index == (shown[-1] if shown else index), "preview": preview,
        "simulated": False,
    }


@access.public_with_own_lookup
def answer_page(request, slug, survey, resume, page):
    """One page of questions. POST checks it on the server; valid answers are kept and the next
    page shown (POST/redirect/GET); on the last page the whole response is stored at once."""
    found = _survey(request, survey)
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
        return render(request, "consultation/page.html", _page_context(request, found, response, form, index, answers))
    result = answering.check_page(form, page_list[index], request.POST, answers, services.process_communes(found.process),
                                  _language())
    action = request.POST.get("action", "next")
    answers.update(result.values)
    response.progress = answers
    response.save(update_fields=["progress"])
    shown_pages = _relevant_pages(form, answers)
    if action == "back":
        earlier = [i for i in shown_pages if i < index]
        return redirect("consultation:page", slug=slug, survey=survey, resume=resume, page=(earlier[-1] + 1) if earlier else 1)
    if action == "later":
        messages.info(request, _("Vos réponses sont enregistrées. Reprenez plus tard avec le lien de cette page."))
        return redirect("consultation:page", slug=slug, survey=survey, resume=resume, page=page)
    if result.errors:
        context = _page_context(request, found, response, form, index, answers, result)
        return render(request, "consultation/page.html", context, status=400)
    if _has_profile_questions(page_list[index]):
        screened = services.screen_out_if_full(response, answers)
        if screened is not None:
            return _screened_out(request, found)
    if result.new and action == "next":
        # Without JavaScript, questions opened by an answer on this page appear now.
        context = _page_context(request, found, response, form, index, answers, result)
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
        stored = services.submit(response, cleaned, key=services.rate_key(_client_address(request)),
                                 places=services.process_places(found.process))
    except services.SubmissionRefused as refused:
        return _refused(request, found, refused)
    if stored.status == Response.Status.SCREENED_OUT:
        return _screened_out(request, found)
    return redirect("consultation:receipt", slug=slug, survey=survey, resume=resume)


def _has_profile_questions(page: Group) -> bool:
    return any(question.name in PROFILE_FIELDS for question, _group in page_questions(page))


def _screened_out(request, survey: Survey):
    """The polite refusal of a respondent whose quota cell is full (nothing more is stored)."""
    return render(request, "consultation/screened_out.html", {"survey": survey, "title": survey.title(_language())})


@access.public_with_own_lookup
def receipt(request, slug, survey, resume):
    """After submission: the receipt id, to quote when asking about one's answers."""
    found = _survey(request, survey)
    response = _response(found, resume)
    if response.status != Response.Status.SUBMITTED:
        return redirect("consultation:page", slug=slug, survey=survey, resume=resume, page=1)
    return render(request, "consultation/receipt.html", receipts.context(found, response, _language()))


@access.participant
def my_responses(request, slug):
    """A signed-in respondent's own answers in this process: see, download (CSV), delete."""
    mine = Response.objects.filter(user=request.user, survey__process=request.process, status=Response.Status.SUBMITTED)
    if request.method == "POST":
        target = mine.filter(receipt=request.POST.get("receipt", "")).first()
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


# ---------------------------------------------------------------------------------------------
# Back office


@access.team
def survey_list(request, slug):
    """The process's surveys; POST creates an empty one."""
    process = request.process
    if request.method == "POST":
        title = request.POST.get("title", "").strip()
        new_slug = re.sub(r"[^a-z0-9-]", "-", request.POST.get("new_slug", "").strip().lower()).strip("-")
        if not title or not new_slug:
            messages.error(request, _("Donnez un titre et un identifiant."))
        elif Survey.objects.filter(process=process, slug=new_slug).exists():
            messages.error(request, _("L'identifiant « %(slug)s » est déjà pris.") % {"slug": new_slug})
        else:
            survey = Survey.objects.create(process=process, slug=new_slug, title_fr=title[:200],
                                           draft=form_to_dict(empty_form(title, new_slug.replace("-", "_"))))
            return redirect("consultation:builder", slug=slug, survey=survey.slug)
    surveys = process.surveys.select_related("current_version").order_by("-created")
    counts = {s.pk: s.responses.filter(status=Response.Status.SUBMITTED).count() for s in surveys}
    return render(request, "consultation/list.html", {"process": process,
                                                      "surveys": [(s, counts[s.pk]) for s in surveys]})


@access.team
def upload(request, slug):
    """XLSForm upload: every problem listed by sheet, row and column; nothing imported unless valid."""
    problems = []
    if request.method == "POST":
        upload_file = request.FILES.get("file")
        if upload_file is None:
            problems = [_("Choisissez un fichier .xlsx.")]
        elif refusal := _refusal(upload_file, ["xlsx"]):
            problems = [refusal]
        else:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / Path(upload_file.name).name
                with open(path, "wb") as handle:
                    for chunk in upload_file.chunks():
                        handle.write(chunk)
                try:
                    form = services.read_form_file(path)
                except FormatError as exc:
                    problems = [str(p) for p in exc.problems] or [str(exc)]
                else:
                    survey = services.import_form(form, request.process)
                    messages.success(request, _("Questionnaire importé : %(n)s questions.") % {"n": len(form.questions())})
                    return redirect("consultation:builder", slug=slug, survey=survey.slug)
    return render(request, "consultation/upload.html", {"process": request.process, "problems": problems},
                  status=400 if problems else 200)


def _refusal(upload, kinds) -> str | None:
    """Why ``upload`` is refused (type by content, size), or None (atout.web.uploads)."""
    from django.core.exceptions import ValidationError

    try:
        check_upload(upload, kinds)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


def _item_path(items, name):
    return editing.item_path(items, name)


def _add_question(form, post) -> dict[str, str]:
    """Add a question from the builder's form; returns the errors by field (empty when added)."""
    question, errors = editing.build_question(form, post)
    if errors:
        return errors
    page_name = post.get("page", "")
    found = _item_path(form.items, page_name) if page_name else None
    if found and isinstance(found[0][found[1]], Group):
        found[0][found[1]].children.append(question)
    else:
        form.items.append(question)
    return {}


@access.team
def builder(request, slug, survey):
    """The questionnaire builder: settings, pages, questions (add, reorder, remove), publish."""
    found = _survey(request, survey)
    form = form_from_dict(found.draft) if found.draft else empty_form(found.title_fr, found.slug)
    error = None
    add_errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "settings":
            found.title_fr = request.POST.get("title_fr", found.title_fr).strip()[:200] or found.title_fr
            found.title_en = request.POST.get("title_en", "").strip()[:200]
            found.status = request.POST.get("status") if request.POST.get("status") in Survey.Status.values else found.status
            found.mode = request.POST.get("mode") if request.POST.get("mode") in Survey.Mode.values else found.mode
            found.layout = request.POST.get("layout") if request.POST.get("layout") in Survey.Layout.values else found.layout
            for field in ("consent_purpose", "consent_controller", "consent_retention"):
                setattr(found, field, request.POST.get(field, "").strip())
            try:
                retention = request.POST.get("retention_until", "").strip()
                found.retention_until = dt.date.fromisoformat(retention) if retention else None
            except ValueError:
                error = _("Date de conservation invalide (AAAA-MM-JJ).")
            if error is None:
                if found.status == Survey.Status.OPEN and found.current_version is None:
                    services.publish(found)
                found.save()
        elif action == "add":
            add_errors = _add_question(form, request.POST)
            if add_errors:
                error = _("La question n'a pas été ajoutée : corrigez les champs signalés.")
        elif action == "page":
            name = re.sub(r"[^A-Za-z0-9_]", "_", request.POST.get("page_name", "").strip()) or f"page{len(form.groups()) + 1}"
            if name in {g.name for g in form.groups()} | {q.name for q in form.questions()}:
                error = _("Le nom « %(name)s » est déjà utilisé.") % {"name": name}
            else:
                form.items.append(Group(name=name, labels={FR: request.POST.get("page_label", "").strip() or name},
                                        appearance="field-list"))
        elif action in ("up", "down", "delete"):
            located = _item_path(form.items, request.POST.get("item", ""))
            if located:
                container, index = located
                if action == "delete":
                    error = editing.delete_item(form, request.POST.get("item", ""))
                else:
                    other = index - 1 if action == "up" else index + 1
                    if 0 <= other < len(container):
                        container[index], container[other] = container[other], container[index]
        elif action == "publish":
            if not form.questions():
                error = _("Ajoutez au moins une question avant de publier.")
            else:
                found.draft = form_to_dict(form)
                found.save(update_fields=["draft"])
                version = services.publish(found)
                messages.success(request, _("Version %(n)s publiée.") % {"n": version.number})
                return redirect("consultation:builder", slug=slug, survey=survey)
        if error is None:
            found.draft = form_to_dict(form)
            found.save()
            return redirect("consultation:builder", slug=slug, survey=survey)
    return render(request, "consultation/builder.html", {
        "process": request.process, "survey": found, "items": form.items, "groups": form.groups(), "error": error,
        "types": QUESTION_TYPES, "statuses": Survey.Status.choices, "modes": Survey.Mode.choices, "layouts": Survey.Layout.choices,
        "versions": found.versions.order_by("-number"), "post": request.POST if add_errors else {},
        "add_errors": add_errors, "draft_changed": _draft_changed(found, form),
        "public_url": request.build_absolute_uri(found.get_absolute_url()),
    }, status=400 if error else 200)


def _draft_changed(survey: Survey, form) -> bool:
    """Whether the draft differs from the published version (edits waiting for publication)."""
    if survey.current_version is None:
        return False
    return form_to_dict(with_profile(form_from_dict(form_to_dict(form)))) != survey.current_version.structure


@access.team
def edit_question(request, slug, survey, name):
    """Edit one question of the draft (labels, hint, required, choices, condition, constraint,
    bounds, name). Same checks as when adding; a rename updates the references to it. A published
    survey is not changed: the edit waits in the draft until the next "Publier"."""
    found = _survey(request, survey)
    form = form_from_dict(found.draft) if found.draft else empty_form(found.title_fr, found.slug)
    located = _item_path(form.items, name)
    if not located or isinstance(located[0][located[1]], Group):
        raise Http404
    original = located[0][located[1]]
    errors: dict[str, str] = {}
    values = editing.form_values(original)
    if request.method == "POST":
        question, errors, renamed = editing.edit_question(form, name, request.POST)
        if not errors:
            found.draft = form_to_dict(form)
            found.save(update_fields=["draft"])
            message = _("Question « %(name)s » modifiée dans le brouillon.") % {"name": question.name}
            if renamed:
                message += " " + _("Références mises à jour dans : %(items)s.") % {"items": ", ".join(renamed)}
            if found.current_version is not None:
                message += " " + _("Publiez une nouvelle version pour l'appliquer aux prochains répondants.")
            messages.success(request, message)
            return redirect("consultation:builder", slug=slug, survey=survey)
        values = {key: request.POST.get(key, "") for key in values}
        values["type"] = editing.kind_of(original)
    return render(request, "consultation/edit_question.html", {
        "process": request.process, "survey": found, "question": original, "values": values, "errors": errors,
        "kind_label": dict(QUESTION_TYPES).get(editing.kind_of(original), original.type),
        "has_choices": editing.kind_of(original) in editing.CHOICE_KINDS,
        "has_bounds": editing.kind_of(original) in editing.NUMBER_KINDS,
        "referrers": editing.references_to(form, name),
    }, status=400 if errors else 200)


@access.team
def preview(request, slug, survey):
    """Every page of the draft as a respondent would see it (nothing is stored)."""
    found = _survey(request, survey)
    form = with_profile(form_from_dict(found.draft)) if found.draft else services.current_form(found)
    contexts = [_page_context(request, found, None, form, i, {}, preview=True) for i in range(len(pages(form)))]
    return render(request, "consultation/preview.html", {"process": request.process, "survey": found, "pages": contexts})


@access.team
def invitations(request, slug, survey):
    """Invitations in bulk: POST gives a CSV of single-use links (shown once: only hashes are kept)."""
    found = _survey(request, survey)
    if request.method == "POST":
        try:
            count = int(request.POST.get("count", "0"))
        except ValueError:
            count = 0
        if not 1 <= count <= 10000:
            messages.error(request, _("Entre 1 et 10 000 invitations à la fois."))
            return redirect("consultation:invitations", slug=slug, survey=survey)
        tokens = services.create_invitations(found, count, request.POST.get("label", "").strip()[:200])
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["lien"])
        for token in tokens:
            writer.writerow(safe_row([request.build_absolute_uri(reverse(
                "consultation:invitation", kwargs={"slug": slug, "survey": survey, "token": token}))]))
        result = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        result["Content-Disposition"] = f'attachment; filename="invitations-{found.slug}.csv"'
        return result
    stats = {"total": found.invitations.count(), "used": found.invitations.filter(used_at__isnull=False).count()}
    return render(request, "consultation/invitations.html", {"process": request.process, "survey": found, "stats": stats})


def _hexagon_svg(rows: list[dict], low: float = 1.0, high: float = 5.0) -> list[dict]:
    """Points of the hexagon polygon (radius ∝ score between ``low`` and ``high``) and axis ends."""
    import math

    points = []
    for i, row in enumerate(rows):
        angle = -math.pi / 2 + i * 2 * math.pi / max(len(rows), 1)
        share = 0.0 if row["mean"] is None else max(0.0, min(1.0, (row["mean"] - low) / (high - low)))
        points.append({"x": round(150 + 110 * share * math.cos(angle), 1), "y": round(150 + 110 * share * math.sin(angle), 1),
                       "ax": round(150 + 110 * math.cos(angle), 1), "ay": round(150 + 110 * math.sin(angle), 1),
                       "lx": round(150 + 132 * math.cos(angle), 1), "ly": round(150 + 132 * math.sin(angle), 1),
                       "dimension": row["dimension"], "mean": row["mean"]})
    return points


@access.team
def results_page(request, slug, survey):
    """Results with 95 % intervals, crosstab by a segment, NPS, hexagon; small cells suppressed."""
    found = _survey(request, survey)
    segment = request.GET.get("segment", "zone")
    if segment not in results.SEGMENTS:
        segment = "zone"
    data = results.cached_results(found, language=_language(), segments=[segment])
    if request.GET.get("format") == "json":
        from django.http import JsonResponse

        from atout.commands import to_jsonable

        return JsonResponse(to_jsonable(data), json_dumps_params={"ensure_ascii": False})
    hexagon_points = _hexagon_svg(data["hexagon"])
    return render(request, "consultation/results.html", {
        "process": request.process, "survey": found, "data": data, "segment": segment,
        "segments": [(key, _(label)) for key, label in SEGMENT_LABELS.items()], "hexagon": hexagon_points,
        "polygon": " ".join(f"{p['x']},{p['y']}" for p in hexagon_points),
        "outline": " ".join(f"{p['ax']},{p['ay']}" for p in hexagon_points),
    })


@access.team
def weighting(request, slug, survey):
    """Rake to uploaded margins (variable,category,target over age_band, sex, zone) or to the
    territory's INSEE margins (age band, sub-territory); shows the margins used, deff and n_eff."""
    found = _survey(request, survey)
    outcome, problem = None, None
    options = services.insee_weighting_options(found)
    chosen = [v for v in services.INSEE_WEIGHTING_VARIABLES if options[v]["available"]]
    insee_rows = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "clear":
            services.clear_weights(found)
            messages.success(request, _("Pondération retirée."))
            return redirect("consultation:weighting", slug=slug, survey=survey)
        margins_file = request.FILES.get("margins")
        if action == "insee":
            chosen = [v for v in services.WEIGHTING_VARIABLES if v in request.POST.getlist("variables")]
            try:
                margins = services.insee_margins(found, chosen)
                outcome = services.apply_weights(found, margins)
            except (services.MarginsUnavailable, RakingError, ValueError) as exc:
                problem = _("Pondération selon les marges INSEE impossible : %(e)s") % {"e": exc}
            else:
                insee_rows = services.margin_rows(found, margins, outcome, services.sample_shares(found, list(margins)))
        elif margins_file is None:
            problem = _("Choisissez un fichier de marges.")
        elif refusal := _refusal(margins_file, ["csv"]):
            problem = refusal
        else:
            from django.core.management.base import CommandError

            from .management.commands.weights import read_margins

            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "marges.csv"
                path.write_bytes(margins_file.read())
                try:
                    outcome = services.apply_weights(found, read_margins(path))
                except (CommandError, RakingError, ValueError) as exc:
                    detail = str(exc).replace(str(path), margins_file.name)
                    problem = detail if detail.startswith(margins_file.name) else f"{margins_file.name} : {detail}"
    weights = Response.objects.filter(survey=found, weight__isnull=False)
    return render(request, "consultation/weighting.html", {
        "process": request.process, "survey": found, "outcome": outcome, "problem": problem,
        "weighted": weights.count(), "submitted": found.responses.filter(status=Response.Status.SUBMITTED).count(),
        "data": _weights_summary(weights) if outcome is None else None,
        "insee_options": [(v, _(quotas.VARIABLE_LABELS[v]), options[v]) for v in services.WEIGHTING_VARIABLES],
        "insee_chosen": chosen, "insee_rows": insee_rows, "insee_source": quotas.INSEE_SOURCE,
        "insee_file": quotas.INSEE_AGE_FILE,
        "insee_preview": services.margin_rows(found, {v: o["margin"] for v, o in options.items() if o["available"]}),
    }, status=400 if problem else 200)


def _weights_summary(weights) -> dict | None:
    """Kish design effect and effective sample size of the stored weights (None without weights)."""
    from django.db.models import Count, F, Sum

    totals = weights.aggregate(n=Count("id"), sw=Sum("weight"), sw2=Sum(F("weight") * F("weight")))
    if not totals["n"] or not totals["sw"]:
        return None
    deff = totals["n"] * totals["sw2"] / totals["sw"] ** 2
    return {"deff": deff, "effective_n": totals["n"] / deff}


@access.team
def export(request, slug, survey, fmt):
    """Responses as CSV (UTF-8), CSV for Excel (';' + BOM) or XLSX; CSV streamed."""
    found = _survey(request, survey)
    if found.current_version is None:
        raise Http404
    if fmt in ("csv", "excel"):
        response = StreamingHttpResponse(exports.csv_lines(found, excel=fmt == "excel"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{found.slug}-reponses.csv"'
        return response
    if fmt == "xlsx":
        handle = tempfile.TemporaryFile()
        exports.write_xlsx(found, handle)
        handle.seek(0)
        return FileResponse(handle, as_attachment=True, filename=f"{found.slug}-reponses.xlsx")
    raise Http404


@access.team
def export_xlsform(request, slug, survey):
    """The published structure as an XLSForm workbook."""
    found = _survey(request, survey)
    if found.current_version is None:
        raise Http404
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")
    write_xlsform(form_from_dict(found.current_version.structure), handle.name)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{found.slug}.xlsx")



# ---------------------------------------------------------------------------------------------
# Quotas

#: Crossings offered for targets generated from INSEE population margins.
GENERATE_CHOICES = [
    ("age_band", "Tranche d'âge"), ("zone", "Sous-territoire"), ("age_band,zone", "Tranche d'âge × sous-territoire"),
    ("epci", "EPCI"), ("age_band,epci", "Tranche d'âge × EPCI"),
]


def _positive_int(raw: str) -> int | None:
    try:
        value = int(raw.strip())
    except (ValueError, AttributeError):
        return None
    return value if value >= 0 else None


@access.team
def quotas_page(request, slug, survey):
    """Quota cells with their live fill rates (one grouped query); add by hand, generate from INSEE
    margins for a total sample size, close or open a cell, delete. Reload the page to refresh it."""
    found = _survey(request, survey)
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        close = request.POST.get("close_when_full") == "yes"
        try:
            if action == "add":
                target = _positive_int(request.POST.get("target", ""))
                if target is None:
                    raise quotas.QuotaInputError(_("L'objectif doit être un nombre entier positif."), "target")
                cell = {v: request.POST.get(v, "") for v in quotas.VARIABLES}
                quota = quotas.add_quota(found, cell, target, close_when_full=close)
                messages.success(request, _("Quota enregistré : %(cell)s, objectif %(n)s.")
                                 % {"cell": quotas.describe(found, quota.cell), "n": target})
            elif action == "generate":
                total = _positive_int(request.POST.get("total", ""))
                if not total:
                    raise quotas.QuotaInputError(_("La taille d'échantillon doit être un nombre entier positif."), "total")
                variables = request.POST.get("variables", "")
                if variables not in dict(GENERATE_CHOICES):
                    raise quotas.QuotaInputError(_("Choisissez un croisement."), "variables")
                made = quotas.generate(found, variables.split(","), total, close_when_full=close)
                messages.success(request, _("%(n)s cellules créées à partir des marges INSEE, pour %(total)s réponses.")
                                 % {"n": made.created, "total": made.total})
            elif action in ("close", "open", "delete"):
                target_quota = found.quotas.filter(pk=_positive_int(request.POST.get("quota", "")) or 0).first()
                if target_quota is not None:
                    if action == "delete":
                        target_quota.delete()
                    else:
                        target_quota.close_when_full = action == "close"
                        target_quota.save(update_fields=["close_when_full"])
            elif action == "clear":
                found.quotas.all().delete()
                messages.success(request, _("Tous les quotas ont été supprimés."))
        except quotas.QuotaInputError as exc:
            errors[f"{action}:{exc.field}"] = str(exc)
        if not errors:
            return redirect("consultation:quotas", slug=slug, survey=survey)
    data = quotas.fill_rates(found)
    if request.GET.get("format") == "json":
        from django.http import JsonResponse

        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    refresh = request.GET.get("actualiser") == "30"
    variables = [(v, _(label), quotas.categories(found, v)) for v, label in quotas.VARIABLE_LABELS.items()]
    return render(request, "consultation/quotas.html", {
        "process": request.process, "survey": found, "data": data, "errors": errors, "post": request.POST if errors else {},
        "variables": variables, "generate_choices": [(k, _(label)) for k, label in GENERATE_CHOICES],
        "refresh": refresh, "insee_source": quotas.INSEE_SOURCE,
    }, status=400 if errors else 200)
