from django import forms
from django.utils.translation import gettext_lazy as _

from .models import OECD_DOMAINS, SwotItem


class CurateForm(forms.Form):
    """One decision on a SWOT item: accept, reject, edit (title, category, axis, domain) or merge into another."""

    DECISIONS = [("accept", _("Retenir")), ("reject", _("Écarter")), ("edit", _("Modifier")), ("merge", _("Fusionner dans…"))]

    item = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("Décision"), choices=DECISIONS)
    title = forms.CharField(label=_("Intitulé"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Catégorie"), choices=[("", "—")] + list(SwotItem.Kind.choices), required=False)
    axis = forms.CharField(label=_("Axe (code)"), max_length=40, required=False)
    domain = forms.ChoiceField(label=_("Domaine OCDE"), choices=[("", "—")] + OECD_DOMAINS, required=False)
    into = forms.IntegerField(label=_("Fusionner dans l'élément n°"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "merge" and not data.get("into"):
            self.add_error("into", _("Indiquez l'élément dans lequel fusionner."))
        if data.get("decision") == "edit" and not (data.get("title") or data.get("kind") or data.get("axis") or data.get("domain")):
            self.add_error("title", _("Rien à modifier : renseignez au moins un champ."))
        return data


class AllocationForm(forms.Form):
    """100 points to spread across the orientations; one integer field per orientation."""

    TOTAL = 100

    def __init__(self, *args, orientations, **kwargs):
        super().__init__(*args, **kwargs)
        from atout.opinion.models import Participant

        self.orientations = list(orientations)
        for orientation in self.orientations:
            self.fields[f"o{orientation.pk}"] = forms.IntegerField(
                label=f"{orientation.axis.name} — {orientation.title}", min_value=0, max_value=self.TOTAL, initial=0)
        self.fields["segment"] = forms.ChoiceField(
            label=_("Vous êtes (facultatif, pour lire les résultats par profil)"), required=False,
            choices=[("", "—")] + list(Participant.Status.choices))

    def clean(self):
        data = super().clean()
        points = [data.get(f"o{o.pk}") for o in self.orientations]
        if None not in points and sum(points) != self.TOTAL:
            raise forms.ValidationError(_("Répartissez exactement %(total)s points (vous en avez réparti %(given)s).")
                                        % {"total": self.TOTAL, "given": sum(points)})
        return data

    def points(self) -> dict:
        return {o: self.cleaned_data[f"o{o.pk}"] for o in self.orientations}
