"""The team's forms on its own process: description, phase dates, axes, members and invitations."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from .models import Axis, Phase, Process, Role


class ProcessForm(forms.ModelForm):
    class Meta:
        model = Process
        fields = ["title", "description", "status"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}


class PhaseForm(forms.ModelForm):
    """One phase's dates; the kind is fixed (one row per phase of the process)."""

    class Meta:
        model = Phase
        fields = ["start", "end", "description"]
        widgets = {"start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A phase the process does not have yet may stay empty; a dated one keeps its dates.
        self.fields["start"].required = self.fields["end"].required = bool(self.instance.pk)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if not self.instance.pk and bool(start) != bool(end) and not self.errors:
            self.add_error("end" if start else "start", _("Donnez le début et la fin, ou laissez les deux vides."))
        if start and end and end < start:
            self.add_error("end", _("La fin doit suivre le début."))
        return cleaned

    @property
    def left_empty(self) -> bool:
        return not self.instance.pk and not self.cleaned_data.get("start")


class AxisForm(forms.ModelForm):
    class Meta:
        model = Axis
        fields = ["name_fr", "name_en", "description", "order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


def check_phase_sequence(forms_by_kind: list) -> list[str]:
    """Phases must follow one another: each starts after the previous one ends (errors, in French)."""
    errors = []
    dated = [(f.instance.get_kind_display(), f.cleaned_data.get("start"), f.cleaned_data.get("end")) for f in forms_by_kind
             if f.is_valid()]
    for (name_a, _start_a, end_a), (name_b, start_b, _end_b) in zip(dated, dated[1:], strict=False):
        if end_a and start_b and start_b <= end_a:
            errors.append(_("La phase « %(next)s » commence avant la fin de la phase « %(previous)s ».")
                          % {"next": name_b, "previous": name_a})
    return errors


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"))
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices)


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices)


class NewAccountForm(forms.Form):
    """Creating one's account while accepting an invitation (the e-mail is the invitation's)."""

    username = forms.CharField(label=_("Identifiant"), max_length=150)
    password = forms.CharField(label=_("Mot de passe"), widget=forms.PasswordInput, strip=False)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("Cet identifiant est déjà pris : choisissez-en un autre, ou connectez-vous."))
        return username

    def clean_password(self):
        password = self.cleaned_data["password"]
        validate_password(password)
        return password
