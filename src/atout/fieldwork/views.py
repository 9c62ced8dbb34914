"""Fieldwork pages: sessions and their transcripts, the coding workspace (works without
JavaScript), the codebook, frequency and co-occurrence tables, exports, contributions import, and
the theme explorer (team) with its public read-only view."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.db.models import Count
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from atout.consultation.models import Answer
from atout.core import access
from atout.core.contracts import provider
from atout.engine.formats.errors import FormatError
from atout.processes.roles import has_role

from . import agreement as coder_agreement
from . import coding, documents, exports, imports, themeruns
from .attachments import save_attachment
from .charts import cooccurrence_svg
from .forms import (
    AttachmentForm,
    CodeForm,
    ContributionImportForm,
    DocumentImportForm,
    SessionForm,
    ThemeRunForm,
    TranscriptUploadForm,
)
from .models import (
    Attachment,
    Code,
    Contribution,
    ContributionImport,
    Document,
    Excerpt,
    ParticipantCategory,
    Session,
    Theme,
    ThemeAssignment,
    ThemeRun,
)
from .transcripts import read_transcript, segments

BREAKDOWNS = {"session_kind": gettext_noop("type de séance"), "speaker": gettext_noop("catégorie d'intervenant·e"),
              "subterritory": gettext_noop("sous-territoire")}


def _session(request, session) -> Session:
    return get_object_or_404(Session, process=request.process, pk=session)


def _base_name(name: str) -> str:
    """The last part of an uploaded name, whatever the sender's path separator."""
    return name.replace("\\", "/").rsplit("/", 1)[-1][:200]


def _is_team(request) -> bool:
    return has_role(request.user, request.process, "team")


# --------------------------------------------------------------------------- sessions


@access.facilitator
def sessions(request, slug):
    items = (request.process.fieldwork_sessions.select_related("place")
             .annotate(n_excerpts=Count("excerpts", distinct=True)).prefetch_related("participant_groups"))
    return render(request, "fieldwork/sessions.html", {"process": request.process, "sessions": items})


@access.facilitator
def session_new(request, slug):
    form = SessionForm(request.POST or None, process=request.process, private=_is_team(request))
    if request.method == "POST" and form.is_valid():
        session = form.save(commit=False)
        session.process = request.process
        session.facilitator = request.user
        session.save()
        form.save_participants(session)
        messages.success(request, _("Séance enregistrée."))
        return redirect(session)
    return render(request, "fieldwork/session_form.html", {"process": request.process, "form": form},
                  status=400 if form.errors else 200)


@access.facilitator
def session_edit(request, slug, session):
    item = _session(request, session)
    form = SessionForm(request.POST or None, instance=item, process=request.process, private=_is_team(request))
    if request.method == "POST" and form.is_valid():
        form.save()
        form.save_participants(item)
        messages.success(request, _("Séance mise à jour."))
        return redirect(item)
    return render(request, "fieldwork/session_form.html", {"process": request.process, "form": form, "session": item},
                  status=400 if form.errors else 200)


@access.facilitator
def session(request, slug, session):
    item = _session(request, session)
    return render(request, "fieldwork/session.html", {
        "process": request.process, "session": item, "is_team": _is_team(request),
        "groups": item.participant_groups.all(), "attachments": item.attachments.all(),
        "excerpts": item.excerpts.prefetch_related("codings__code"), "subterritory": item.subterritory(),
        "transcript_form": TranscriptUploadForm(), "attachment_form": AttachmentForm(),
    })


@access.facilitator
def transcript_upload(request, slug, session):
    item = _session(request, session)
    form = TranscriptUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            transcript = read_transcript(upload.name, upload.read())
        except FormatError as exc:
            form.add_error("file", str(exc))
        else:
            if item.excerpts.exists():
                form.add_error("file", _("Cette séance a déjà des extraits codés : supprimez-les avant de remplacer la transcription."))
            else:
                item.transcript = transcript.text
                item.transcript_source = _base_name(upload.name)
                item.transcript_note = transcript.note
                item.save(update_fields=["transcript", "transcript_source", "transcript_note"])
                messages.success(request, _("Transcription importée."))
                return redirect(item)
    return render(request, "fieldwork/upload.html", {"process": request.process, "session": item, "form": form,
                                                     "title": _("Importer une transcription")},
                  status=400 if form.errors else 200)


@access.facilitator
def attachment_upload(request, slug, session):
    item = _session(request, session)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            save_attachment(item, upload.name, upload.read(), user=request.user, label=form.cleaned_data["label"])
        except FormatError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, _("Pièce jointe ajoutée."))
            return redirect(item)
    return render(request, "fieldwork/upload.html", {"process": request.process, "session": item, "form": form,
                                                     "title": _("Ajouter une pièce jointe")},
                  status=400 if form.errors else 200)


@access.facilitator
def attachment(request, slug, attachment):
    item = get_object_or_404(Attachment, session__process=request.process, pk=attachment)
    content_types = {"png": "image/png", "jpeg": "image/jpeg", "pdf": "application/pdf", "text": "text/plain; charset=utf-8",
                     "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     "odt": "application/vnd.oasis.opendocument.text"}
    response = FileResponse(item.file.open("rb"), content_type=content_types[item.kind],
                            as_attachment=item.kind not in ("png", "jpeg"), filename=item.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --------------------------------------------------------------------------- coding


@access.facilitator
def code_session(request, slug, session):
    """The coding workspace: numbered passages with checkboxes, codes as checkboxes, one button."""
    item = _session(request, session)
    codebook = coding.codebook_for(request.process)
    status = 200
    if request.method == "POST":
        codes = list(codebook.codes.filter(pk__in=[v for v in request.POST.getlist("code") if v.isdigit()]))
        numbers = [v for v in request.POST.getlist("segment") if v.isdigit()]
        speaker = request.POST.get("speaker", "")
        if speaker not in ParticipantCategory.values:
            speaker = ""
        try:
            excerpt = coding.code_segments(item, numbers, codes, user=request.user, speaker_category=speaker)
        except coding.CodingError as exc:
            messages.error(request, _("Codage impossible : %(reason)s") % {"reason": _reason(exc)})
            status = 400
        else:
            messages.success(request, _("Extrait codé : %(codes)s") % {"codes": ", ".join(c.name for c in codes)})
            return redirect(request.path + f"#extrait-{excerpt.pk}")
    coded = {}
    for excerpt in item.excerpts.prefetch_related("codings__code"):
        for s in segments(item.transcript):
            if s.start < excerpt.end and s.end > excerpt.start:
                coded.setdefault(s.number, set()).update(c.code.name for c in excerpt.codings.all())
    passages = [(s, sorted(coded.get(s.number, ()))) for s in segments(item.transcript)]
    return render(request, "fieldwork/code_session.html", {
        "process": request.process, "session": item, "passages": passages, "tree": coding.code_tree(codebook),
        "speakers": ParticipantCategory.choices, "excerpts": item.excerpts.prefetch_related("codings__code"),
    }, status=status)


def _reason(exc: coding.CodingError) -> str:
    text = str(exc)
    known = {"choose at least one code": _("choisissez au moins un code"),
             "select at least one passage": _("cochez au moins un passage")}
    return known.get(text, text)


def _code_whole_text(request, item, *, code_it, done: str, excerpt_of: dict, template: str, name: str):
    """Code a whole text (a contribution, a survey answer) with the codes ticked in the form, then
    show it with its excerpt: the one page behind :func:`code_contribution` and :func:`code_answer`."""
    codebook = coding.codebook_for(request.process)
    status = 200
    if request.method == "POST":
        codes = list(codebook.codes.filter(pk__in=[v for v in request.POST.getlist("code") if v.isdigit()]))
        try:
            code_it(item, codes, user=request.user)
        except coding.CodingError as exc:
            messages.error(request, _("Codage impossible : %(reason)s") % {"reason": _reason(exc)})
            status = 400
        else:
            messages.success(request, done)
            return redirect(request.path)
    excerpt = Excerpt.objects.filter(**excerpt_of).prefetch_related("codings__code").first()
    return render(request, template, {
        "process": request.process, name: item, "tree": coding.code_tree(codebook), "excerpt": excerpt,
    }, status=status)


@access.facilitator
def code_contribution(request, slug, contribution):
    item = get_object_or_404(Contribution, process=request.process, pk=contribution)
    return _code_whole_text(request, item, code_it=coding.code_contribution, done=_("Contribution codée."),
                            excerpt_of={"contribution": item}, template="fieldwork/code_contribution.html",
                            name="contribution")


def _open_answers(process):
    return (Answer.objects.filter(survey__process=process, response__status="submitted").exclude(text="")
            .select_related("survey", "response", "response__zone").order_by("survey_id", "question", "pk"))


@access.facilitator
def answers(request, slug):
    """Open answers of the process's surveys, to code like transcripts."""
    # The most recent first: coders follow the answers as they arrive (500 shown; the total is given).
    # The questionnaires' and responses' JSON documents are left out: decoding them per answer took 2 s.
    items = list(_open_answers(request.process).defer("survey__draft", "survey__barometer", "response__progress")
                 .order_by("-pk")[:500])
    coded = {e.answer_id: [c.code.name for c in e.codings.all()]
             for e in Excerpt.objects.filter(answer__in=items).prefetch_related("codings__code")}
    wording = themeruns.question_wordings(a.response.version_id for a in items)
    rows = [(a, coded.get(a.pk, []), wording.get((a.response.version_id, a.question), a.question)) for a in items]
    return render(request, "fieldwork/answers.html", {"process": request.process, "rows": rows,
                                                      "total": _open_answers(request.process).count()})


@access.facilitator
def code_answer(request, slug, answer):
    item = get_object_or_404(_open_answers(request.process), pk=answer)
    return _code_whole_text(request, item, code_it=coding.code_answer, done=_("Réponse codée."),
                            excerpt_of={"answer": item}, template="fieldwork/code_answer.html", name="answer")


@access.facilitator
def codebook(request, slug):
    book = coding.codebook_for(request.process)
    form = CodeForm(request.POST or None, codebook=book)
    if request.method == "POST":
        if not _is_team(request):
            messages.error(request, _("Seule l'équipe de la démarche modifie la grille de codage."))
            return redirect(request.path)
        if form.is_valid():
            code = form.save(commit=False)
            code.codebook = book
            code.save()
            messages.success(request, _("Code ajouté."))
            return redirect(request.path)
    counts = {}
    for code_ids in coding.excerpt_codes(request.process).values():
        for c in code_ids:
            counts[c] = counts.get(c, 0) + 1
    tree = [(depth, code, counts.get(code.pk, 0)) for depth, code in coding.code_tree(book)]
    return render(request, "fieldwork/codebook.html", {"process": request.process, "codebook": book, "tree": tree,
                                                       "form": form, "is_team": _is_team(request)},
                  status=400 if form.errors else 200)


@access.facilitator
def code(request, slug, code):
    item = get_object_or_404(Code, codebook__process=request.process, pk=code)
    return render(request, "fieldwork/code.html", {"process": request.process, "code": item,
                                                   "excerpts": coding.excerpts_of(item)})


@access.facilitator
def analysis(request, slug):
    tables = [(key, _(label), coding.frequencies(request.process, key)) for key, label in BREAKDOWNS.items()]
    matrix = coding.cooccurrence(request.process)
    heatmap = cooccurrence_svg(matrix["codes"], matrix["matrix"], _("Carte de chaleur des cooccurrences des codes"))
    return render(request, "fieldwork/analysis.html", {"process": request.process, "tables": tables,
                                                       "cooccurrence": matrix, "heatmap": mark_safe(heatmap)})  # noqa: S308


def _download(content, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@access.facilitator
def export_codebook_csv(request, slug):
    return _download(exports.codebook_csv(request.process), f"grille-{slug}.csv", "text/csv; charset=utf-8")


@access.facilitator
def export_excerpts_csv(request, slug):
    return _download(exports.excerpts_csv(request.process), f"extraits-{slug}.csv", "text/csv; charset=utf-8")


@access.facilitator
def export_codebook_qdc(request, slug):
    return _download(exports.codebook_qdc(request.process), f"grille-{slug}.qdc", "application/xml")


# --------------------------------------------------------------------------- contributions


@access.team
def contributions(request, slug):
    form = ContributionImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        segment_columns = [c.strip() for c in form.cleaned_data["segment_columns"].split(",") if c.strip()]
        with tempfile.TemporaryDirectory() as tmp:
            # Readers take a path; the upload is written under a fixed name, its own name is only shown.
            path = Path(tmp) / "upload.csv"
            path.write_bytes(upload.read())
            try:
                batch = imports.import_contributions(
                    request.process, path, form.cleaned_data["platform"],
                    text_column=form.cleaned_data["text_column"] or None, id_column=form.cleaned_data["id_column"] or None,
                    segment_columns=segment_columns, label=form.cleaned_data["label"], note=form.cleaned_data["note"],
                    user=request.user, file_name=_base_name(upload.name),
                )
            except FormatError as exc:
                form.add_error("file", str(exc).replace(str(path), upload.name).replace("upload.csv", Path(upload.name).name))
            else:
                messages.success(request, _("%(n)s contributions importées.") % {"n": batch.count})
                return redirect("fieldwork:batch", slug=slug, batch=batch.pk)
    return render(request, "fieldwork/contributions.html", {
        "process": request.process, "form": form, "batches": request.process.contribution_imports.all(),
    }, status=400 if form.errors else 200)


@access.team
def batch(request, slug, batch):
    item = get_object_or_404(ContributionImport, process=request.process, pk=batch)
    rows = item.contributions.all()[:500]
    return render(request, "fieldwork/batch.html", {"process": request.process, "batch": item, "rows": rows})


# --------------------------------------------------------------------------- themes


@access.team
def themes(request, slug):
    form = ThemeRunForm(request.POST or None, process=request.process)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        batches = [b.pk for b in data["batches"]] or None
        run = themeruns.start_run(request.process, k=data["k"], seed=data["seed"], batches=batches,
                                  transcripts=data["transcripts"], label=data["label"], user=request.user)
        return redirect(run)
    return render(request, "fieldwork/themes.html", {"process": request.process, "form": form,
                                                     "runs": request.process.theme_runs.all()},
                  status=400 if form.errors else 200)


def _run(request, run) -> ThemeRun:
    return get_object_or_404(ThemeRun, process=request.process, pk=run)


@access.team
def theme_run(request, slug, run):
    item = _run(request, run)
    context = {"process": request.process, "run": item, "themes": item.themes.select_related("code"),
               "codes": coding.code_tree(coding.codebook_for(request.process)), "description": themeruns.describe(item)}
    if item.status == ThemeRun.Status.DONE:
        context["history"] = themeruns.history_in_words(item)
        keys = list(item.result.get("segments", {}))
        context["spreads"] = [(themeruns.SEGMENT_LABELS.get(key, key), themeruns.spread_table(item, key)) for key in keys]
        context["agreement"] = themeruns.agreement(item)
        context["small_cell"] = themeruns.SMALL_CELL
    return render(request, "fieldwork/theme_run.html", context)


@access.team
def theme(request, slug, run, theme):
    item = _run(request, run)
    current = get_object_or_404(Theme, run=item, number=theme)
    units = list(ThemeAssignment.objects.filter(theme=current).values_list("unit", "strength", "rank")[:300])
    texts = themeruns.unit_texts([u for u, _s, _r in units])
    # A text deleted since the run (a contribution batch removed) has no text left: it is not listed.
    rows = [{"unit": u, "strength": s, "rank": r, **texts[u]} for u, s, r in units if u in texts]
    quotes = [{"text": q, "origin": texts.get(str(u), {}).get("origin", "")}
              for q, u in zip(current.quotes, current.quote_ids, strict=False)]
    return render(request, "fieldwork/theme.html", {"process": request.process, "run": item, "theme": current,
                                                    "rows": rows, "quotes": quotes, "missing": len(units) - len(rows),
                                                    "others": item.themes.exclude(pk=current.pk), "total": current.size})


@access.team
@require_POST
def theme_edit(request, slug, run):
    """Rename, merge, split, move answers or promote a theme to a code, through the engine."""
    item = _run(request, run)
    action = request.POST.get("action", "")
    post = request.POST
    try:
        if action == "rename":
            themeruns.rename(item, int(post["theme"]), post.get("label", ""))
        elif action == "merge":
            themeruns.merge(item, [int(v) for v in post.getlist("themes")], post.get("label", "").strip() or None)
        elif action == "split":
            themeruns.split(item, int(post["theme"]), int(post.get("parts", 2)))
        elif action == "move":
            if not post.getlist("units"):
                raise ValueError(_("cochez au moins un texte"))
            target = post.get("to", "")
            themeruns.move(item, post.getlist("units"), int(target) if target.isdigit() else None,
                           int(post["from"]) if post.get("from", "").isdigit() else None)
        elif action == "promote":
            parent = Code.objects.filter(codebook__process=request.process, pk=post.get("parent") or 0).first()
            themeruns.promote(item, int(post["theme"]), parent=parent, name=post.get("name", "").strip())
        elif action == "publish":
            item.published = post.get("published") == "1"
            item.save(update_fields=["published"])
        else:
            raise ValueError(_("action inconnue"))
    except (ValueError, KeyError, Theme.DoesNotExist) as exc:
        messages.error(request, _("Modification impossible : %(reason)s") % {"reason": _edit_reason(exc)})
    else:
        messages.success(request, _("Analyse mise à jour."))
    back = post.get("back", "")
    if back.isdigit() and item.themes.filter(number=int(back)).exists():
        return redirect("fieldwork:theme", slug=slug, run=item.pk, theme=int(back))
    return redirect(item)


def _edit_reason(exc: Exception) -> str:
    known = {"a theme label cannot be empty": _("le libellé ne peut pas être vide")}
    text = str(exc)
    return known.get(text, text)


@access.public
def public_themes(request, slug):
    """Published theme runs, read-only: labels, sizes, quotes from public contributions only."""
    runs = request.process.theme_runs.filter(published=True, status=ThemeRun.Status.DONE)
    shown = []
    for run in runs:
        themes_list = []
        for t in run.themes.all():
            public_quotes = [q for q, u in zip(t.quotes, t.quote_ids, strict=False) if str(u).startswith("c")]
            themes_list.append((t, public_quotes[:3]))
        shown.append((run, themes_list))
    return render(request, "fieldwork/public_themes.html", {"process": request.process, "runs": shown,
                                                            "small_cell": themeruns.SMALL_CELL})



# --------------------------------------------------------------------------- documents


@access.facilitator
def document_list(request, slug):
    """The corpus, searchable without regard to accents or case."""
    query = request.GET.get("q", "").strip()[:200]
    found = documents.search(request.process, query)
    counts = dict(Excerpt.objects.filter(document__process=request.process).values("document")
                  .annotate(n=Count("pk")).values_list("document", "n"))
    rows = [(d, snippets, counts.get(d.pk, 0)) for d, snippets in found]
    return render(request, "fieldwork/documents.html", {"process": request.process, "rows": rows, "query": query,
                                                         "is_team": _is_team(request),
                                                         "total": request.process.documents.count()})


@access.team
def document_import(request, slug):
    form = DocumentImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            item = documents.import_document(request.process, upload.name, upload.read(), type=data["type"],
                                             title=data["title"], author=data["author"], year=data["year"],
                                             note=data["note"], user=request.user)
        except documents.DocumentError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, _("Document importé : %(title)s.") % {"title": item.title})
            return redirect(item)
    return render(request, "fieldwork/document_import.html", {"process": request.process, "form": form},
                  status=400 if form.errors else 200)


@access.facilitator
def document(request, slug, document):
    """A document's facts and its text as numbered passages to code, like a transcript."""
    item = get_object_or_404(Document, process=request.process, pk=document)
    codebook = coding.codebook_for(request.process)
    status = 200
    if request.method == "POST":
        codes = list(codebook.codes.filter(pk__in=[v for v in request.POST.getlist("code") if v.isdigit()]))
        try:
            excerpt = documents.code_passages(item, [v for v in request.POST.getlist("segment") if v.isdigit()],
                                              codes, user=request.user)
        except coding.CodingError as exc:
            messages.error(request, _("Codage impossible : %(reason)s") % {"reason": _reason(exc)})
            status = 400
        else:
            messages.success(request, _("Extrait codé : %(codes)s") % {"codes": ", ".join(c.name for c in codes)})
            return redirect(request.path + f"#extrait-{excerpt.pk}")
    excerpts = list(item.excerpts.prefetch_related("codings__code"))
    evidence = _evidence_of(excerpts)
    for excerpt in excerpts:
        excerpt.evidence_item = evidence.get(excerpt.pk)
    coded: dict[int, set] = {}
    passages = segments(item.text)
    for excerpt in excerpts:
        for s in passages:
            if s.start < excerpt.end and s.end > excerpt.start:
                coded.setdefault(s.number, set()).update(c.code.name for c in excerpt.codings.all())
    return render(request, "fieldwork/document.html", {
        "process": request.process, "document": item, "tree": coding.code_tree(codebook), "is_team": _is_team(request),
        "passages": [(s, sorted(coded.get(s.number, ()))) for s in passages], "excerpts": excerpts,
        "swot_items": _swot_items(request.process),
    }, status=status)


def _swot_items(process):
    # The strategy app (above this one) provides its SWOT items and evidence by name.
    swot_items_to_back = provider("evidence.swot_items_to_back")
    return swot_items_to_back(process) if swot_items_to_back else []


def _evidence_of(excerpts) -> dict[int, object]:
    evidence_of_excerpts = provider("evidence.of_excerpts")
    return evidence_of_excerpts(excerpts) if evidence_of_excerpts else {}


@access.team
@require_POST
def excerpt_evidence(request, slug, excerpt):
    """Use a coded passage of a document or transcript as a piece of evidence."""
    item = get_object_or_404(Excerpt, process=request.process, pk=excerpt)
    if not (item.document_id or item.session_id):
        messages.error(request, _("Seuls les passages de documents et de comptes rendus deviennent des preuves ici."))
        return redirect("fieldwork:documents", slug=slug)
    target = request.POST.get("swot", "")
    swot_item = None
    if target:
        swot_item = next((s for s in _swot_items(request.process) if str(s.pk) == target), None)
        if swot_item is None:
            messages.error(request, _("Élément de l'AFOM introuvable dans cette démarche."))
            return redirect(item.get_absolute_url() or request.process.get_absolute_url())
    evidence = provider("evidence.from_excerpt")(item)
    if swot_item is not None:
        swot_item.link_evidence(evidence, note=_("Extrait codé"))
        messages.success(request, _("L'extrait appuie désormais « %(item)s ».") % {"item": swot_item.title})
    else:
        messages.success(request, _("L'extrait est désormais un élément de preuve."))
    return redirect(evidence)


# --------------------------------------------------------------------------- two coders


def _pick_coders(request, people):
    """The two coders compared: chosen in the query string, else the two most active."""
    by_pk = {str(user.pk): user for user, _n in people}
    first, second = by_pk.get(request.GET.get("a", "")), by_pk.get(request.GET.get("b", ""))
    ranked = [user for user, _n in people]
    first = first or (ranked[0] if ranked else None)
    second = second or next((u for u in ranked if u != first), None)
    return first, second


@access.facilitator
def agreement(request, slug):
    """Agreement between two coders on the texts both coded, per code, and the disagreements to arbitrate."""
    people = coder_agreement.coders(request.process)
    first, second = _pick_coders(request, people)
    context = {"process": request.process, "people": people, "first": first, "second": second,
               "is_team": _is_team(request)}
    if first is not None and second is not None and first != second:
        context["found"] = coder_agreement.compare(request.process, first, second)
    return render(request, "fieldwork/agreement.html", context)


@access.team
@require_POST
def arbitrate(request, slug):
    """The team's decision on one disagreement: the code applies to the paragraph, or not."""
    post = request.POST
    code = Code.objects.filter(codebook__process=request.process, pk=post.get("code", "0") if post.get("code", "").isdigit() else 0).first()
    users = {str(u.pk): u for u, _n in coder_agreement.coders(request.process)}
    decision = post.get("applies", "")
    try:
        if code is None:
            raise ValueError(_("code inconnu"))
        if decision not in ("1", "0"):
            raise ValueError(_("choisissez si le code s'applique ou non"))
        coder_agreement.arbitrate(request.process, post.get("unit", ""), code, decision == "1", user=request.user,
                                  first=users.get(post.get("a", "")), second=users.get(post.get("b", "")),
                                  note=post.get("note", ""))
    except ValueError as exc:
        messages.error(request, _("Arbitrage impossible : %(reason)s") % {"reason": exc})
    else:
        messages.success(request, _("Arbitrage enregistré."))
    query = f"?a={post.get('a', '')}&b={post.get('b', '')}" if post.get("a", "").isdigit() and post.get("b", "").isdigit() else ""
    return redirect(reverse("fieldwork:agreement", kwargs={"slug": slug}) + query + "#desaccords")


@access.facilitator
def export_qdpx(request, slug):
    return _download(coder_agreement.qdpx(request.process), f"projet-{slug}.qdpx", "application/zip")
