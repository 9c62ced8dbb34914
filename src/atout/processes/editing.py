"""The team edits its process in the product (not the admin): description and status, phase dates,
axes, members and invitations. Every change goes through the ORM inside a request, so the audit
journal (:mod:`atout.core.audit`) records who changed what; a failed form changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atout.core import access

from . import services
from .forms import (
    AxisForm,
    InvitationForm,
    NewAccountForm,
    PhaseForm,
    ProcessForm,
    RoleChangeForm,
    check_phase_sequence,
)
from .models import Axis, Phase, PhaseKind, ProcessRole


def _team_url(process):
    from django.urls import reverse

    return reverse("processes:team", kwargs={"slug": process.slug})


@access.team
def edit_process(request, slug):
    """Title, description and status of the process, and the dates of its three phases, on one page."""
    process = request.process
    phases = [Phase.objects.filter(process=process, kind=kind).first() or Phase(process=process, kind=kind)
              for kind in PhaseKind]
    data = request.POST if request.method == "POST" else None
    form = ProcessForm(data, instance=process)
    phase_forms = [PhaseForm(data, instance=phase, prefix=f"phase-{phase.kind}") for phase in phases]
    sequence_errors = []
    if request.method == "POST":
        valid = form.is_valid() & all([f.is_valid() for f in phase_forms])
        sequence_errors = check_phase_sequence(phase_forms) if valid else []
        if valid and not sequence_errors:
            with transaction.atomic():
                form.save()
                for phase_form in phase_forms:
                    if not phase_form.left_empty:
                        phase_form.save()
            messages.success(request, _("Démarche enregistrée."))
            return redirect(_team_url(process))
    return render(request, "processes/edit_process.html", {
        "process": process, "form": form, "phase_forms": phase_forms, "sequence_errors": sequence_errors,
    }, status=400 if request.method == "POST" else 200)


@access.team
def edit_axes(request, slug):
    """Names and descriptions of the axes, and a new axis."""
    process = request.process
    axes = list(process.axes.all())
    data = request.POST if request.method == "POST" else None
    forms_ = [AxisForm(data, instance=axis, prefix=f"axis-{axis.pk}") for axis in axes]
    new_form = AxisForm(data if data and data.get("new-name_fr") else None, prefix="new",
                        initial={"order": len(axes)})
    if request.method == "POST":
        valid = all([f.is_valid() for f in forms_]) & (not new_form.is_bound or new_form.is_valid())
        if valid:
            with transaction.atomic():
                for f in forms_:
                    if f.has_changed():
                        f.save()
                if new_form.is_bound:
                    _add_axis(process, new_form)
            messages.success(request, _("Axes enregistrés."))
            return redirect("processes:axes", slug=slug)
    return render(request, "processes/edit_axes.html", {
        "process": process, "forms": forms_, "new_form": new_form,
    }, status=400 if request.method == "POST" else 200)


def _add_axis(process, form) -> Axis:
    from django.utils.text import slugify

    axis = form.save(commit=False)
    base = slugify(axis.name_fr)[:36] or "axe"
    code, n = base, 2
    while Axis.objects.filter(process=process, code=code).exists():
        code, n = f"{base}-{n}", n + 1
    axis.process, axis.code = process, code
    axis.save()
    return axis


@access.team
def members(request, slug):
    """Who has which role, pending invitations, and the invitation form."""
    process = request.process
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _invitation, _link = services.invite(process, form.cleaned_data["email"], form.cleaned_data["role"],
                                             invited_by=request.user, base_url=request.build_absolute_uri("/"))
        messages.success(request, _("Invitation envoyée à %(email)s.") % {"email": form.cleaned_data["email"]})
        return redirect("processes:members", slug=slug)
    return render(request, "processes/members.html", {
        "process": process, "form": form,
        "roles": [(r, RoleChangeForm(initial={"role": r.role}, prefix=f"role-{r.pk}"))
                  for r in process.roles.select_related("user").order_by("role", "user__username")],
        "invitations": process.invitations.select_related("invited_by", "accepted_by")[:50],
    }, status=400 if form.errors else 200)


@access.team
@require_POST
def member_change(request, slug, pk):
    """Change a member's role, or remove it (button ``remove``); the last team role stays."""
    role = get_object_or_404(ProcessRole.objects.select_related("user"), pk=pk, process=request.process)
    if "remove" in request.POST:
        if services.last_team_member(role):
            messages.error(request, _("Impossible de retirer le dernier membre de l'équipe : invitez d'abord quelqu'un d'autre."))
        else:
            role.delete()
            messages.success(request, _("%(user)s n'a plus ce rôle.") % {"user": role.user.get_username()})
        return redirect("processes:members", slug=slug)
    form = RoleChangeForm(request.POST, prefix=f"role-{role.pk}")
    if not form.is_valid():
        messages.error(request, _("Rôle : choisissez l'un des rôles proposés."))
    elif form.cleaned_data["role"] != role.role:
        if services.last_team_member(role):
            messages.error(request, _("Impossible de retirer le dernier membre de l'équipe : invitez d'abord quelqu'un d'autre."))
        elif ProcessRole.objects.filter(process=request.process, user=role.user, role=form.cleaned_data["role"]).exists():
            role.delete()  # they already had the other role: this one goes
            messages.success(request, _("Rôle modifié."))
        else:
            role.role = form.cleaned_data["role"]
            role.save()
            messages.success(request, _("Rôle modifié."))
    return redirect("processes:members", slug=slug)


@access.public_with_own_lookup
def invitation(request, token):
    """The link of an invitation e-mail: sign in (or create an account) and accept the role."""
    invitation = services.invitation_for(token)
    if invitation is None:
        return render(request, "processes/invitation.html", {"invitation": None}, status=404)
    request.process = invitation.process
    account_form = None
    if request.user.is_authenticated:
        if request.method == "POST":
            services.accept(invitation, request.user)
            messages.success(request, _("Vous avez rejoint la démarche."))
            return redirect("processes:home", slug=invitation.process.slug)
    else:
        account_form = NewAccountForm(request.POST or None)
        if request.method == "POST" and account_form.is_valid():
            from django.contrib.auth import get_user_model

            with transaction.atomic():
                user = get_user_model().objects.create_user(account_form.cleaned_data["username"], invitation.email,
                                                            account_form.cleaned_data["password"])
                services.accept(invitation, user)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Compte créé : vous avez rejoint la démarche."))
            return redirect("processes:home", slug=invitation.process.slug)
    return render(request, "processes/invitation.html", {
        "invitation": invitation, "process": invitation.process, "account_form": account_form,
    }, status=400 if account_form is not None and account_form.errors else 200)
