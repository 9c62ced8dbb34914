from django import forms
from django.utils.translation import gettext_lazy as _

from atout.opinion.models import Participant

from .models import SwotItem


class CurateForm(forms.Form):
    """One decision on the items ticked on the SWOT board: keep, discard, back to examination, move to a
    quadrant, or merge into one (optionally renamed)."""

    items = forms.TypedMultipleChoiceField(label=_("Éléments"), coerce=int, error_messages={
        "required": _("Cochez au moins un élément."),
        "invalid_choice": _("Élément inconnu : %(value)s.")})
    action = forms.ChoiceField(label=_("Décision"), error_messages={"required": _("Choisissez une décision.")})
    kind = forms.ChoiceField(label=_("Quadrant"), required=False)
    title = forms.CharField(label=_("Intitulé de l'élément fusionné (facultatif)"), max_length=300, required=False)

    def __init__(self, *args, process, **kwargs):
        from .board import ACTIONS, QUADRANTS

        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(pk, pk) for pk in SwotItem.objects.filter(process=process).exclude(
            status=SwotItem.Status.MERGED).values_list("pk", flat=True)]
        self.fields["action"].choices = [("", "—")] + ACTIONS
        self.fields["kind"].choices = [("", "—")] + QUADRANTS

    def clean(self):
        data = super().clean()
        if data.get("action") == "move" and not data.get("kind"):
            self.add_error("kind", _("Choisissez le quadrant vers lequel déplacer les éléments."))
        if data.get("action") == "merge" and len(data.get("items") or []) < 2:
            self.add_error("items", _("Cochez au moins deux éléments à fusionner."))
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


class PositioningForm(forms.Form):
    """The brand platform: ambition, values, promise, target audiences, key messages, and what this version
    changes (kept in the history)."""

    ambition = forms.CharField(label=_("Ambition"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    values = forms.CharField(label=_("Valeurs"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    promise = forms.CharField(label=_("Promesse"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    audiences = forms.CharField(label=_("Publics cibles"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                help_text=_("Talents, entreprises, visiteurs, habitants…"))
    key_messages = forms.CharField(label=_("Messages clés"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    note = forms.CharField(label=_("Ce qui change dans cette version (facultatif)"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if not any((data.get(name) or "").strip() for name in ("ambition", "values", "promise", "audiences", "key_messages")):
            raise forms.ValidationError(_("Le positionnement ne peut pas être vide : renseignez au moins l'ambition."))
        return data

