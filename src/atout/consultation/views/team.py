"""The team's back office: surveys, XLSForm upload, builder, preview, invitations, quotas, results,
weighting and exports. POST data is read by the forms of :mod:`..forms`; each problem is shown at
its field and nothing is changed until the whole form is valid."""

from __future__ import annotations

import csv
import io
import math
import re
import tempfile
from pathlib import Path

from django.contrib import messages
from django.db.models import Count, F, Sum
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from atout.core import access
from atout.engine.formats.cells import safe_row
from atout.engine.formats.errors import FormatError
from atout.engine.formats.xlsform import write_xlsform
from atout.engine.weighting import RakingError, design_effect

from .. import charts, editing, exports, quotas, results, services
from ..forms import (
    GENERATE_CHOICES,
    InseeWeightingForm,
    InvitationsForm,
    ItemForm,
    MarginsForm,
    NewSurveyForm,
    NewVersionConfirmForm,
    PageForm,
    QuestionForm,
    QuotaCellForm,
    QuotaForm,
    QuotaGenerateForm,
    SettingsForm,
    XLSFormUploadForm,
    confirmation_token,
    field_errors,
)
from ..models import Response, Survey
from ..structure import empty_form, form_from_dict, form_to_dict, pages, text, with_profile
from .common import language, survey_or_404
from .pages import page_context

SEGMENT_LABELS = {"zone": "Sous-territoire", "age_band": "Tranche d'âge", "sex": "Sexe", "profile_status": "Statut"}


# ---------------------------------------------------------------------------------------------
# Surveys and XLSForm uploads


@access.team
def survey_list(request, slug):
    """The process's surveys; POST creates an empty one."""
    process = request.process
    form = NewSurveyForm(request.POST if request.method == "POST" else None, process=process)
    if form.is_valid():
        title, new_slug = form.cleaned_data["title"], form.cleaned_data["new_slug"]
        survey = Survey.objects.create(process=process, slug=new_slug, title_fr=title,
                                       draft=form_to_dict(empty_form(title, new_slug.replace("-", "_"))))
        return redirect("consultation:builder", slug=slug, survey=survey.slug)
    surveys = process.surveys.select_related("current_version").order_by("-created")
    counts = {s.pk: s.responses.filter(status=Response.Status.SUBMITTED).count() for s in surveys}
    return render(request, "consultation/list.html", {
        "process": process, "surveys": [(s, counts[s.pk]) for s in surveys],
        "values": form.data, "errors": field_errors(form)}, status=400 if form.errors else 200)


@access.team
def upload(request, slug):
    """XLSForm upload: every problem listed by sheet, row and column; nothing imported unless valid.
    A new version of an open survey is shown first (questions added, removed, changed) and
    published, the survey staying open, only once confirmed."""
    problems: list[str] = []
    if request.method == "POST" and "confirmation" in request.POST:
        confirm = NewVersionConfirmForm(request.POST, process=request.process)
        if confirm.is_valid():
            survey = services.import_form(confirm.new_form, request.process, slug=confirm.survey.slug, new_version=True)
            messages.success(request, _("Version %(n)s publiée ; le questionnaire reste ouvert.")
                             % {"n": survey.current_version.number})
            return redirect("consultation:builder", slug=slug, survey=survey.slug)
        problems = list(field_errors(confirm).values())
    elif request.method == "POST":
        upload_form = XLSFormUploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            try:
                form = _read_xlsform(upload_form.cleaned_data["file"])
                survey = services.import_form(form, request.process)
            except FormatError as exc:
                problems = [str(p) for p in exc.problems] or [str(exc)]
            except services.SurveyIsOpen as exc:
                return _confirm_new_version(request, exc.survey, exc.changes, form)
            else:
                messages.success(request, _("Questionnaire importé : %(n)s questions.") % {"n": len(form.questions())})
                return redirect("consultation:builder", slug=slug, survey=survey.slug)
        else:
            problems = list(field_errors(upload_form).values())
    return render(request, "consultation/upload.html", {"process": request.process, "problems": problems},
                  status=400 if problems else 200)


def _read_xlsform(upload):
    """The form of an uploaded XLSForm, read under the file's own name (problems name it)."""
    name = re.sub(r"[\x00-\x1f/\\]", "", Path(upload.name).name) or "questionnaire.xlsx"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        with open(path, "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        return services.read_form_file(path)


def _confirm_new_version(request, survey: Survey, changes: services.VersionChanges, form):
    """The confirmation step before a new version of an open survey: what changes, what stays."""
    reader = language()
    new_questions = {q.name: q for q in with_profile(form_from_dict(form_to_dict(form))).questions()}
    old_questions = {q.name: q for q in form_from_dict(survey.current_version.structure).questions()}

    def described(names, questions):
        return [{"name": n, "label": text(questions[n].labels, reader)} for n in names]

    return render(request, "consultation/upload_confirm.html", {
        "process": request.process, "survey": survey, "confirmation": confirmation_token(survey, form),
        "added": described(changes.added, new_questions), "removed": described(changes.removed, old_questions),
        "changed": described(changes.changed, new_questions),
        "submitted": survey.responses.filter(status=Response.Status.SUBMITTED).count(),
        "partial": survey.responses.filter(status=Response.Status.PARTIAL).count(),
        "next_number": survey.versions.order_by("-number").values_list("number", flat=True).first() + 1,
    })


# ---------------------------------------------------------------------------------------------
# The builder


def _draft(survey: Survey):
    return form_from_dict(survey.draft) if survey.draft else empty_form(survey.title_fr, survey.slug)


def _save_draft(survey: Survey, draft) -> None:
    survey.draft = form_to_dict(draft)
    survey.save(update_fields=["draft"])


@access.team
def builder(request, slug, survey):
    """The questionnaire builder: settings, pages, questions (add, reorder, remove), publish."""
    found = survey_or_404(request, survey)
    draft = _draft(found)
    add_form, page_form, settings_form = QuestionForm(draft=draft), PageForm(draft=draft), SettingsForm()
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "settings":
            settings_form = SettingsForm(request.POST)
            if settings_form.is_valid():
                settings_form.apply(found)
                found.save()
                if found.status == Survey.Status.OPEN and found.current_version_id is None:
                    services.publish(found)
                return redirect("consultation:builder", slug=slug, survey=survey)
            error = _("Les réglages n'ont pas été enregistrés : corrigez les champs signalés.")
        elif action == "add":
            add_form = QuestionForm(request.POST, draft=draft)
            if add_form.is_valid():
                editing.add_question(draft, add_form.question, add_form.cleaned_data["page"])
                _save_draft(found, draft)
                return redirect("consultation:builder", slug=slug, survey=survey)
            error = _("La question n'a pas été ajoutée : corrigez les champs signalés.")
        elif action == "page":
            page_form = PageForm(request.POST, draft=draft)
            if page_form.is_valid():
                editing.add_page(draft, page_form.cleaned_data["page_name"], page_form.cleaned_data["page_label"])
                _save_draft(found, draft)
                return redirect("consultation:builder", slug=slug, survey=survey)
            error = _("La page n'a pas été ajoutée : corrigez les champs signalés.")
        elif action in ("up", "down", "delete"):
            item_form = ItemForm(request.POST)
            if item_form.is_valid():
                name = item_form.cleaned_data["item"]
                if action == "delete":
                    error = editing.delete_item(draft, name)
                else:
                    editing.move_item(draft, name, -1 if action == "up" else 1)
            if error is None:
                _save_draft(found, draft)
                return redirect("consultation:builder", slug=slug, survey=survey)
        elif action == "publish":
            if not draft.questions():
                error = _("Ajoutez au moins une question avant de publier.")
            else:
                _save_draft(found, draft)
                version = services.publish(found)
                messages.success(request, _("Version %(n)s publiée.") % {"n": version.number})
                return redirect("consultation:builder", slug=slug, survey=survey)
        else:
            return redirect("consultation:builder", slug=slug, survey=survey)
    return render(request, "consultation/builder.html", {
        "process": request.process, "survey": found, "items": draft.items, "groups": draft.groups(), "error": error,
        "types": editing.QUESTION_TYPE_CODES, "statuses": Survey.Status.choices, "modes": Survey.Mode.choices,
        "layouts": Survey.Layout.choices, "versions": found.versions.order_by("-number"),
        "post": add_form.data, "add_errors": field_errors(add_form),
        "page_values": page_form.data, "page_errors": field_errors(page_form),
        "settings": settings_form.shown_values(found), "settings_errors": field_errors(settings_form),
        "draft_changed": _draft_changed(found, draft),
        "public_url": request.build_absolute_uri(found.get_absolute_url()),
    }, status=400 if error else 200)


def _draft_changed(survey: Survey, draft) -> bool:
    """Whether the draft differs from the published version (edits waiting for publication)."""
    if survey.current_version is None:
        return False
    return form_to_dict(with_profile(form_from_dict(form_to_dict(draft)))) != survey.current_version.structure


@access.team
def edit_question(request, slug, survey, name):
    """Edit one question of the draft (labels, hint, required, choices, condition, constraint,
    bounds, name). Same checks as when adding; a rename updates the references to it. A published
    survey is not changed: the edit waits in the draft until the next "Publier"."""
    found = survey_or_404(request, survey)
    draft = _draft(found)
    original = editing.find_question(draft, name)
    if original is None:
        raise Http404
    form = QuestionForm(request.POST if request.method == "POST" else None, draft=draft, original=original)
    if form.is_valid():
        renamed = editing.replace_question(draft, name, form.question)
        _save_draft(found, draft)
        message = _("Question « %(name)s » modifiée dans le brouillon.") % {"name": form.question.name}
        if renamed:
            message += " " + _("Références mises à jour dans : %(items)s.") % {"items": ", ".join(renamed)}
        if found.current_version is not None:
            message += " " + _("Publiez une nouvelle version pour l'appliquer aux prochains répondants.")
        messages.success(request, message)
        return redirect("consultation:builder", slug=slug, survey=survey)
    kind = editing.kind_of(original)
    return render(request, "consultation/edit_question.html", {
        "process": request.process, "survey": found, "question": original, "values": form.shown_values(),
        "errors": field_errors(form), "kind_label": dict(editing.QUESTION_TYPE_CODES).get(kind, original.type),
        "has_choices": kind in editing.CHOICE_KINDS, "has_bounds": kind in editing.NUMBER_KINDS,
        "referrers": editing.references_to(draft, name),
    }, status=400 if form.errors else 200)


@access.team
def preview(request, slug, survey):
    """Every page of the draft as a respondent would see it (nothing is stored)."""
    found = survey_or_404(request, survey)
    form = with_profile(form_from_dict(found.draft)) if found.draft else services.current_form(found)
    contexts = [page_context(found, None, form, i, {}, preview=True) for i in range(len(pages(form)))]
    return render(request, "consultation/preview.html", {"process": request.process, "survey": found, "pages": contexts})


# ---------------------------------------------------------------------------------------------
# Invitations


@access.team
def invitations(request, slug, survey):
    """Invitations in bulk: POST gives a CSV of single-use links (shown once: only hashes are kept)."""
    found = survey_or_404(request, survey)
    form = InvitationsForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        tokens = services.create_invitations(found, form.cleaned_data["count"], form.cleaned_data["label"])
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
    return render(request, "consultation/invitations.html", {
        "process": request.process, "survey": found, "stats": stats, "values": form.data,
        "errors": field_errors(form)}, status=400 if form.errors else 200)


# ---------------------------------------------------------------------------------------------
# Quotas


@access.team
def quotas_page(request, slug, survey):
    """Quota cells with their live fill rates (one grouped query); add by hand, generate from INSEE
    margins for a total sample size, close or open a cell, delete. Reload the page to refresh it."""
    found = survey_or_404(request, survey)
    add_form, generate_form = QuotaForm(survey=found), QuotaGenerateForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "add":
            add_form = QuotaForm(request.POST, survey=found)
            if add_form.is_valid():
                target = add_form.cleaned_data["target"]
                quota = quotas.add_quota(found, add_form.cell, target,
                                         close_when_full=add_form.cleaned_data["close_when_full"])
                messages.success(request, _("Quota enregistré : %(cell)s, objectif %(n)s.")
                                 % {"cell": quotas.describe(found, quota.cell), "n": target})
                return redirect("consultation:quotas", slug=slug, survey=survey)
        elif action == "generate":
            generate_form = QuotaGenerateForm(request.POST)
            if generate_form.is_valid() and _generate(request, found, generate_form):
                return redirect("consultation:quotas", slug=slug, survey=survey)
        else:
            _change_cells(found, action, request.POST)
            return redirect("consultation:quotas", slug=slug, survey=survey)
    data = quotas.fill_rates(found)
    if request.GET.get("format") == "json":
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    refresh = request.GET.get("actualiser") == "30"
    add_errors, generate_errors = field_errors(add_form), field_errors(generate_form)
    variables = [(v, _(label), quotas.categories(found, v), add_errors.get(v), add_form.data.get(v, ""))
                 for v, label in quotas.VARIABLE_LABELS.items()]
    return render(request, "consultation/quotas.html", {
        "process": request.process, "survey": found, "data": data, "variables": variables,
        "add_values": add_form.data, "add_errors": add_errors,
        "generate_values": generate_form.data, "generate_errors": generate_errors,
        "errors": list(add_errors.values()) + list(generate_errors.values()),
        "generate_choices": GENERATE_CHOICES, "refresh": refresh, "insee_source": quotas.INSEE_SOURCE,
    }, status=400 if add_errors or generate_errors else 200)


def _generate(request, survey: Survey, form: QuotaGenerateForm) -> bool:
    """Replace the quotas by INSEE targets as the form asks; False (the problem put on the form) if
    the INSEE data cannot give them."""
    data = form.cleaned_data
    try:
        made = quotas.generate(survey, data["variables"].split(","), data["total"], close_when_full=data["close_when_full"])
    except quotas.QuotaInputError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        return False
    messages.success(request, _("%(n)s cellules créées à partir des marges INSEE, pour %(total)s réponses.")
                     % {"n": made.created, "total": made.total})
    return True


def _change_cells(survey: Survey, action: str, data) -> None:
    """Close, open or delete one cell, or delete them all (a cell already gone is left alone)."""
    if action == "clear":
        survey.quotas.all().delete()
        return
    form = QuotaCellForm(data, survey=survey)
    if action not in ("close", "open", "delete") or not form.is_valid():
        return
    quota = form.cleaned_data["quota"]
    if action == "delete":
        quota.delete()
    else:
        quota.close_when_full = action == "close"
        quota.save(update_fields=["close_when_full"])


# ---------------------------------------------------------------------------------------------
# Results and weighting


def _hexagon_svg(rows: list[dict], low: float = 1.0, high: float = 5.0) -> list[dict]:
    """Points of the hexagon polygon (radius ∝ score between ``low`` and ``high``) and axis ends."""
    points = []
    for i, row in enumerate(rows):
        angle = -math.pi / 2 + i * 2 * math.pi / max(len(rows), 1)
        share = 0.0 if row["mean"] is None else max(0.0, min(1.0, (row["mean"] - low) / (high - low)))
        points.append({"x": round(150 + 110 * share * math.cos(angle), 1), "y": round(150 + 110 * share * math.sin(angle), 1),
                       "ax": round(150 + 110 * math.cos(angle), 1), "ay": round(150 + 110 * math.sin(angle), 1),
                       "lx": round(150 + 132 * math.cos(angle), 1), "ly": round(150 + 132 * math.sin(angle), 1),
                       "dimension": row["dimension"], "mean": row["mean"]})
    return points


def _frequency_chart(question: dict) -> dict | None:
    """Bars with 95 % intervals for a question's answer shares (None without frequencies); the
    table beside the chart holds the same figures, suppressed cells included."""
    frequencies = question.get("frequencies")
    if not frequencies or not frequencies.get("options"):
        return None
    rows = [{"label": o["label"], "value": o["share"], "low": o["low"], "high": o["high"]}
            for o in frequencies["options"] if not o.get("suppressed") and o.get("share") is not None]
    return charts.interval_bars(rows) if rows else None


@access.team
def results_page(request, slug, survey):
    """Results with 95 % intervals, crosstab by a segment, NPS, hexagon; small cells suppressed."""
    return render_results(request, survey_or_404(request, survey), public=False)


@access.public
def public_results(request, slug, survey):
    """The same results for everyone, once they are public (:func:`services.is_public_result`): without the
    team's menu and raw-response exports. Results that are not public do not exist for the public (404)."""
    found = survey_or_404(request, survey)
    if not services.is_public_result(found):
        raise Http404(_("Les résultats de ce questionnaire ne sont pas publics."))
    return render_results(request, found, public=True)


def render_results(request, found, *, public: bool):
    segment = request.GET.get("segment", "zone")
    if segment not in results.SEGMENTS:
        segment = "zone"
    data = results.cached_results(found, language=language(), segments=[segment])
    if request.GET.get("format") == "json":
        from atout.commands import to_jsonable

        return JsonResponse(to_jsonable(data), json_dumps_params={"ensure_ascii": False})
    hexagon_points = _hexagon_svg(data["hexagon"])
    return render(request, "consultation/results.html", {
        "process": request.process, "survey": found, "data": data, "segment": segment, "public": public,
        "charts": [_frequency_chart(q) for q in data["questions"]],
        "segments": [(key, _(label)) for key, label in SEGMENT_LABELS.items()], "hexagon": hexagon_points,
        "polygon": " ".join(f"{p['x']},{p['y']}" for p in hexagon_points),
        "outline": " ".join(f"{p['ax']},{p['ay']}" for p in hexagon_points),
    })


@access.team
def weighting(request, slug, survey):
    """Rake to uploaded margins (variable,category,target over age_band, sex, zone) or to the
    territory's INSEE margins (age band, sub-territory); shows the margins used, deff and n_eff."""
    found = survey_or_404(request, survey)
    outcome, insee_rows = None, None
    options = services.insee_weighting_options(found)
    chosen = [v for v in services.INSEE_WEIGHTING_VARIABLES if options[v]["available"]]
    margins_form, insee_form = MarginsForm(), InseeWeightingForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "clear":
            services.clear_weights(found)
            messages.success(request, _("Pondération retirée."))
            return redirect("consultation:weighting", slug=slug, survey=survey)
        if action == "insee":
            insee_form = InseeWeightingForm(request.POST)
            if insee_form.is_valid():
                chosen = insee_form.cleaned_data["variables"]
                try:
                    margins = services.insee_margins(found, chosen)
                    outcome = services.apply_weights(found, margins)
                except (services.MarginsUnavailable, RakingError, ValueError) as exc:
                    insee_form.add_error("variables", _("Pondération selon les marges INSEE impossible : %(e)s") % {"e": exc})
                else:
                    insee_rows = services.margin_rows(found, margins, outcome, services.sample_shares(found, list(margins)))
        else:
            margins_form = MarginsForm(request.POST, request.FILES)
            if margins_form.is_valid():
                outcome = _rake_to_uploaded_margins(found, margins_form)
    problems = list(field_errors(margins_form).values()) + list(field_errors(insee_form).values())
    weights = Response.objects.filter(survey=found, weight__isnull=False)
    return render(request, "consultation/weighting.html", {
        "process": request.process, "survey": found, "outcome": outcome, "problems": problems,
        "margins_errors": field_errors(margins_form), "insee_errors": field_errors(insee_form),
        "weighted": weights.count(), "submitted": found.responses.filter(status=Response.Status.SUBMITTED).count(),
        "data": _weights_summary(weights) if outcome is None else None,
        "insee_options": [(v, _(quotas.VARIABLE_LABELS[v]), options[v]) for v in services.WEIGHTING_VARIABLES],
        "insee_chosen": chosen, "insee_rows": insee_rows, "insee_source": quotas.INSEE_SOURCE,
        "insee_file": quotas.INSEE_AGE_FILE,
        "insee_preview": services.margin_rows(found, {v: o["margin"] for v, o in options.items() if o["available"]}),
    }, status=400 if problems else 200)


def _rake_to_uploaded_margins(survey: Survey, form: MarginsForm):
    """Rake to the margins file of ``form``; the engine's result, or None with the problem (naming
    the file) put on the form."""
    from django.core.management.base import CommandError

    from ..management.commands.weights import read_margins

    upload = form.cleaned_data["margins"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "marges.csv"
        path.write_bytes(upload.read())
        try:
            return services.apply_weights(survey, read_margins(path))
        except (CommandError, RakingError, ValueError) as exc:
            detail = str(exc).replace(str(path), upload.name)
            form.add_error("margins", detail if detail.startswith(upload.name) else f"{upload.name} : {detail}")
            return None


def _weights_summary(weights) -> dict | None:
    """Kish design effect and effective sample size of the stored weights (None without weights)."""
    totals = weights.aggregate(n=Count("id"), sw=Sum("weight"), sw2=Sum(F("weight") * F("weight")))
    deff = design_effect(totals["n"], totals["sw"], totals["sw2"])
    return None if deff is None else {"deff": deff, "effective_n": totals["n"] / deff}


# ---------------------------------------------------------------------------------------------
# Exports


@access.team
def export(request, slug, survey, fmt):
    """Responses as CSV (UTF-8), CSV for Excel (';' + BOM) or XLSX; CSV streamed. A survey too
    large for one Excel sheet gets a page saying so and offering the CSV exports."""
    found = survey_or_404(request, survey)
    if found.current_version is None:
        raise Http404
    if fmt in ("csv", "excel"):
        response = StreamingHttpResponse(exports.csv_lines(found, excel=fmt == "excel"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{found.slug}-reponses.csv"'
        return response
    if fmt == "xlsx":
        handle = tempfile.TemporaryFile()
        try:
            exports.write_xlsx(found, handle)
        except exports.TooLargeForXlsx as exc:
            handle.close()
            return render(request, "consultation/export_too_large.html", {
                "process": request.process, "survey": found,
                **{key: number_format(value, force_grouping=True) for key, value in (
                    ("columns", exc.columns), ("rows", exc.rows), ("max_columns", exports.XLSX_MAX_COLUMNS),
                    ("max_rows", exports.XLSX_MAX_ROWS))},
            }, status=409)
        handle.seek(0)
        return FileResponse(handle, as_attachment=True, filename=f"{found.slug}-reponses.xlsx")
    raise Http404


@access.team
def export_xlsform(request, slug, survey):
    """The published structure as an XLSForm workbook."""
    found = survey_or_404(request, survey)
    if found.current_version is None:
        raise Http404
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")
    write_xlsform(form_from_dict(found.current_version.structure), handle.name)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{found.slug}.xlsx")
