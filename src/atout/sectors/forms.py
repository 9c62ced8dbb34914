from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from atout.engine.sectors import split_codes

from .models import Filiere
from .services import naf_reference

RESERVED_SLUGS = {"nouvelle"}
LEVELS = {"section": _("section"), "division": _("division"), "groupe": _("groupe"), "classe": _("classe"),
          "sous-classe": _("classe")}  # a sub-class is refused when its class is unknown


def naf_problem(error) -> str:
    """A refused NAF code in words (atout.engine.sectors.NafError)."""
    if error.kind == "unknown":
        return _("« %(code)s » : cette %(level)s n'existe pas dans la NAF rév. 2.") % {
            "code": error.raw, "level": LEVELS[error.level]}
    if error.kind == "letter":
        return _("« %(code)s » : la lettre d'une sous-classe suit une classe à quatre chiffres (ex. 10.51C).") % {
            "code": error.raw}
    return _("« %(code)s » n'est pas un code NAF rév. 2 (attendu : C, 10, 10.5, 10.51 ou 10.51C).") % {
        "code": error.raw}


class FiliereForm(forms.ModelForm):
    """A filière: its definition by NAF codes (checked against NAF rev.2) and its links, within the process."""

    naf_text = forms.CharField(label=_("Codes NAF rév. 2"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("Séparés par des virgules ou des espaces : sections (C), divisions (10), "
                                           "groupes (10.5), classes (10.51) ou sous-classes (10.51C)."))

    class Meta:
        model = Filiere
        fields = ["name", "slug", "description", "naf_text", "highlights", "order", "organisations", "swot_items",
                  "objectives", "actions", "kpis"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "highlights": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, process, **kwargs):
        super().__init__(*args, **kwargs)
        self.process = process
        self.fields["organisations"].queryset = process.organisations.order_by("name")
        self.fields["swot_items"].queryset = process.swot_items.order_by("kind", "title")
        self.fields["objectives"].queryset = process.objectives.order_by("order", "code")
        self.fields["actions"].queryset = process.actions.order_by("order", "code")
        self.fields["kpis"].queryset = process.kpis.order_by("pk")
        if self.instance.pk:
            self.initial["naf_text"] = ", ".join(self.instance.naf_codes)

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("Cet identifiant est réservé ; choisissez-en un autre."))
        taken = Filiere.objects.filter(process=self.process, slug=slug).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Une autre filière de la démarche a déjà cet identifiant."))
        return slug

    def clean_naf_text(self):
        codes, problems = naf_reference().check(split_codes(self.cleaned_data["naf_text"]))
        if problems:
            raise forms.ValidationError([naf_problem(p) for p in problems])
        return codes

    def save(self, commit=True):
        self.instance.process = self.process
        self.instance.naf_codes = self.cleaned_data["naf_text"]
        return super().save(commit)
