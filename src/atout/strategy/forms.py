from django import forms
from django.utils.translation import gettext_lazy as _

from atout.opinion.models import Participant

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


class RankingForm(forms.Form):
    """Rank the orientations: one select per orientation (1 = most important); the ranks must be 1..n, once each."""

    def __init__(self, *args, orientations, **kwargs):
        super().__init__(*args, **kwargs)

        self.orientations = list(orientations)
        n = len(self.orientations)
        choices = [("", "—")] + [(str(r), str(r)) for r in range(1, n + 1)]
        for orientation in self.orientations:
            self.fields[f"r{orientation.pk}"] = forms.TypedChoiceField(
                label=f"{orientation.axis.name} — {orientation.title}", choices=choices, coerce=int,
                error_messages={"required": _("Donnez un rang à cette orientation.")})
        self.fields["segment"] = forms.ChoiceField(
            label=_("Vous êtes (facultatif, pour lire les résultats par profil)"), required=False,
            choices=[("", "—")] + list(Participant.Status.choices))

    def clean(self):
        data = super().clean()
        ranks = [data.get(f"r{o.pk}") for o in self.orientations]
        if None in ranks:
            return data
        n = len(ranks)
        repeated = sorted({r for r in ranks if ranks.count(r) > 1})
        if repeated:
            missing = sorted(set(range(1, n + 1)) - set(ranks))
            raise forms.ValidationError(
                _("Chaque rang de 1 à %(n)s doit être donné une seule fois : rang %(repeated)s donné plusieurs fois, "
                  "rang %(missing)s manquant.") % {"n": n, "repeated": ", ".join(map(str, repeated)),
                                                   "missing": ", ".join(map(str, missing))})
        return data

    def ranks(self) -> dict:
        return {o: self.cleaned_data[f"r{o.pk}"] for o in self.orientations}


class PrioritisationModeForm(forms.Form):
    mode = forms.ChoiceField(label=_("Mode de priorisation proposé aux participants"), widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import PrioritisationSettings

        self.fields["mode"].choices = PrioritisationSettings.Mode.choices
