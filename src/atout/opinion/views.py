"""Conversation pages: voting one statement at a time (no JavaScript needed), the opinion map,
group pages, and the team's moderation, creation, import and export."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atout.core import access
from atout.engine.formats import polis
from atout.engine.formats.errors import FormatError
from atout.territories.maps import PALETTE

from . import services
from .forms import ConversationForm, ModerationForm, PolisImportForm, ProfileForm, StatementForm
from .maps import opinion_map
from .models import Conversation, Participant, Statement, Vote

#: the files of a pol.is export read from an uploaded archive (every version's names)
POLIS_FILES = {polis.SUMMARY, polis.COMMENTS, polis.VOTES, polis.PARTICIPANTS_VOTES, *polis.PARTICIPANTS_VOTES_ALIASES}

VOTE_VALUES = {"agree": Vote.AGREE, "disagree": Vote.DISAGREE, "pass": Vote.PASS}
#: Segments with fewer people than this are not shown (k-anonymity of the participants).
SMALL_CELL = 10


def _conversation(request, conversation) -> Conversation:
    return get_object_or_404(Conversation, process=request.process, slug=conversation)


@access.public
def conversations(request, slug):
    items = request.process.conversations.annotate(
        n_statements=Count("statements", filter=Q(statements__status=Statement.Status.ACCEPTED), distinct=True),
        n_participants=Count("participants", distinct=True),
    )
    return render(request, "opinion/conversations.html", {"process": request.process, "conversations": items})


@access.public
def conversation(request, slug, conversation):
    """One statement at a time; a vote is a plain form POST, then the next statement."""
    conv = _conversation(request, conversation)
    participant = services.participant_for(conv, request, create=False)
    if request.method == "POST":
        if conv.status != Conversation.Status.OPEN:
            messages.error(request, _("Cette conversation est close : les votes ne sont plus recueillis."))
            return redirect(conv)
        value = VOTE_VALUES.get(request.POST.get("vote", ""))
        number = request.POST.get("statement", "")
        statement = (conv.statements.filter(number=int(number), status=Statement.Status.ACCEPTED).first()
                     if number.isdigit() else None)
        if value is None or statement is None:
            messages.error(request, _("Vote non reconnu : choisissez « D'accord », « Pas d'accord » ou « Je passe »."))
            return redirect(conv)
        participant = participant or services.participant_for(conv, request, create=True)
        services.record_vote(participant, statement, value)
        return redirect(conv.get_absolute_url() + "#affirmation")
    statement = services.next_statement(conv, participant)
    total = conv.statements.filter(status=Statement.Status.ACCEPTED).count()
    voted = (Vote.objects.filter(participant=participant, statement__status=Statement.Status.ACCEPTED)
             .values("statement").distinct().count()) if participant else 0
    return render(request, "opinion/conversation.html", {
        "process": request.process, "conversation": conv, "statement": statement, "total": total, "voted": voted,
        "participant": participant, "statement_form": StatementForm(), "analysis": conv.latest_analysis(),
    })


@access.public
@require_POST
def propose(request, slug, conversation):
    conv = _conversation(request, conversation)
    if conv.status != Conversation.Status.OPEN or not conv.participant_statements:
        messages.error(request, _("Cette conversation ne reçoit pas de nouvelles affirmations."))
        return redirect(conv)
    form = StatementForm(request.POST)
    if not form.is_valid():
        participant = services.participant_for(conv, request, create=False)
        return render(request, "opinion/conversation.html", {
            "process": request.process, "conversation": conv, "statement": services.next_statement(conv, participant),
            "statement_form": form, "total": conv.statements.filter(status=Statement.Status.ACCEPTED).count(),
            "voted": 0, "participant": participant, "analysis": conv.latest_analysis(),
        }, status=400)
    participant = services.participant_for(conv, request, create=True)
    statement = services.submit_statement(conv, participant, form.cleaned_data["text"])
    if statement.status == Statement.Status.PENDING:
        messages.success(request, _("Merci ! Votre affirmation sera publiée après relecture par l'équipe."))
    else:
        messages.success(request, _("Merci ! Votre affirmation est publiée."))
    return redirect(conv)


@access.public
def profile(request, slug, conversation):
    conv = _conversation(request, conversation)
    participant = services.participant_for(conv, request, create=request.method == "POST")
    form = ProfileForm(request.POST or None, instance=participant, territory=request.process.territory)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Profil enregistré : il sert uniquement à lire les résultats par segment."))
        return redirect(conv)
    return render(request, "opinion/profile.html", {"process": request.process, "conversation": conv, "form": form},
                  status=400 if form.errors else 200)


def _results_context(request, conv: Conversation) -> dict:
    analysis = conv.latest_analysis()
    statements = {s.number: s for s in conv.statements.all()}
    context = {"process": request.process, "conversation": conv, "analysis": analysis, "statements": statements}
    if analysis is None:
        return context
    result = analysis.result
    for group in result["groups"]:
        for item in group["representative"]:
            item["text"] = statements[item["statement"]].text if item["statement"] in statements else ""
    for side in ("agree", "disagree"):
        for item in result["consensus"][side]:
            item["text"] = statements[item["statement"]].text if item["statement"] in statements else ""
    context["map"] = opinion_map(result.get("points", []))
    context["colours"] = {g["id"]: c for g, c in zip(result["groups"], _palette(), strict=False)}
    return context


def _palette():
    return PALETTE


@access.public
def results(request, slug, conversation):
    conv = _conversation(request, conversation)
    context = _results_context(request, conv)
    if context["analysis"] is not None:
        context["segments"] = _segments(conv, context["analysis"].result)
    return render(request, "opinion/results.html", context)


@access.public
def group(request, slug, conversation, group):
    conv = _conversation(request, conversation)
    context = _results_context(request, conv)
    analysis = context["analysis"]
    if analysis is None or not 0 <= group < len(analysis.result["groups"]):
        raise Http404(_("Ce groupe n'existe pas."))
    context["group"] = analysis.result["groups"][group]
    context["colour"] = context["colours"][group]
    return render(request, "opinion/group.html", context)


def _segments(conv: Conversation, result: dict) -> dict:
    """Group composition by age band and status; cells under SMALL_CELL people are hidden."""
    group_of = {int(k): v for k, v in result["participants"].items()}
    rows = conv.participants.exclude(age_band="", status="").values_list("number", "age_band", "status")
    tables = {}
    for field, label, choices in (
        (1, _("Tranche d'âge"), Participant.AgeBand.choices),
        (2, _("Statut"), Participant.Status.choices),
    ):
        counts = {}
        for row in rows:
            g = group_of.get(row[0])
            if g is not None and row[field]:
                counts[(row[field], g)] = counts.get((row[field], g), 0) + 1
        table = []
        for code, name in choices:
            cells = [counts.get((code, g["id"]), 0) for g in result["groups"]]
            if any(cells):
                table.append((name, [c if c >= SMALL_CELL else None for c in cells]))
        tables[label] = table
    return tables


# --- team -------------------------------------------------------------------------------------


@access.team
def moderation(request, slug, conversation):
    conv = _conversation(request, conversation)
    if request.method == "POST":
        form = ModerationForm(request.POST)
        if form.is_valid():
            statement = get_object_or_404(Statement, conversation=conv, pk=form.cleaned_data["statement"])
            services.moderate(statement, accept=form.cleaned_data["decision"] == "accept",
                              reason=form.cleaned_data["reason"], user=request.user)
            messages.success(request, _("Décision enregistrée."))
            return redirect("opinion:moderation", slug=slug, conversation=conv.slug)
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
    pending = conv.statements.filter(status=Statement.Status.PENDING).order_by("created")
    recent = conv.statements.exclude(status=Statement.Status.PENDING).exclude(seed=True).order_by("-created")[:50]
    return render(request, "opinion/moderation.html", {"process": request.process, "conversation": conv,
                                                       "pending": pending, "recent": recent})


@access.team
@require_POST
def analyze(request, slug, conversation):
    conv = _conversation(request, conversation)
    analysis = services.run_analysis(conv)
    messages.success(request, _("Analyse recalculée sur %(votes)s votes.") % {"votes": analysis.votes_count})
    return redirect("opinion:results", slug=slug, conversation=conv.slug)


@access.team
def new(request, slug):
    form = ConversationForm(request.POST or None, process=request.process)
    if request.method == "POST" and form.is_valid():
        conv = form.save(commit=False)
        conv.process = request.process
        conv.save()
        services.add_seed_statements(conv, form.cleaned_data["seeds"].splitlines())
        messages.success(request, _("Conversation créée."))
        return redirect(conv)
    return render(request, "opinion/new.html", {"process": request.process, "form": form, "import_form": PolisImportForm()},
                  status=400 if form.errors else 200)


@access.team
def import_polis(request, slug):
    form = PolisImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            conv = _import_archive(request.process, form.cleaned_data["archive"], form.cleaned_data["slug"])
        except FormatError as exc:
            form.add_error("archive", str(exc))
        else:
            services.run_analysis(conv)
            messages.success(request, _("Conversation importée et analysée."))
            return redirect("opinion:results", slug=slug, conversation=conv.slug)
    return render(request, "opinion/new.html", {"process": request.process, "form": ConversationForm(process=request.process),
                                                "import_form": form}, status=400 if form.errors else 200)


def _import_archive(process, upload, slug: str) -> Conversation:
    with tempfile.TemporaryDirectory() as tmp:
        try:
            with zipfile.ZipFile(upload) as archive:
                for member in archive.infolist():
                    name = Path(member.filename).name
                    # Only the known files are extracted, by base name: no path from the archive is used.
                    if name in POLIS_FILES and not member.is_dir():
                        (Path(tmp) / name).write_bytes(archive.read(member))
        except zipfile.BadZipFile as exc:
            raise FormatError(_("ce fichier n'est pas une archive .zip")) from exc
        return services.import_polis(process, Path(tmp), slug=slug)


@access.team
def export(request, slug, conversation):
    conv = _conversation(request, conversation)
    response = HttpResponse(content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{conv.slug}-polis.zip"'
    services.export_zip(conv, response)
    return response
