from django import forms
from django.utils.translation import gettext_lazy as _

from atout.consultation import barometer
from atout.consultation.models import Survey
from atout.core.uploads import UploadField
from atout.diagnostic.models import Indicator
from atout.strategy.models import Objective
from atout.territories.models import Territory
from atout.territories.services import pickable

from .models import Action, Kpi, Milestone, Status
from .services import reading_zones


class PlanImportForm(forms.Form):
    spreadsheet = UploadField(
        kinds=["xlsx", "csv"], max_bytes=10 * 1024 * 1024,
        label=_("Tableur du plan d'actions (.xlsx ou .csv)"),
        help_text=_("Une ligne par action ; colonnes décrites dans le modèle. Rien n'est importé si une ligne est en erreur."),
    )

    def clean_spreadsheet(self):
        upload = self.cleaned_data["spreadsheet"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Choisissez un fichier .xlsx ou .csv."))
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("Fichier trop lourd (10 Mo au plus)."))
        return upload


class FilterForm(forms.Form):
    axis = forms.ChoiceField(label=_("Axe"), required=False)
    zone = forms.ChoiceField(label=_("Sous-territoire"), required=False)

    def __init__(self, *args, process, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["axis"].choices = [("", _("Tous les axes"))] + [(a.code, a.name) for a in process.axes.all()]
        self.fields["zone"].choices = [("", _("Tout le territoire"))] + [(t.code, t.name) for t in reading_zones(process)]


class ProgressUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Statut"), choices=Status.choices)
    progress = forms.FloatField(label=_("Avancement (%)"), required=False, min_value=0, max_value=100,
                                help_text=_("Vide : l'avancement par défaut du statut."))
    note = forms.CharField(label=_("Commentaire"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class MilestoneForm(forms.ModelForm):
    """A milestone of an action; its evidence is chosen among the process's evidence."""

    class Meta:
        model = Milestone
        fields = ["date", "title", "done", "evidence"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, process, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].queryset = process.evidence.order_by("title")


class KpiForm(forms.ModelForm):
    """A KPI of an action: a catalogue indicator, or a barometer measure or an engagement figure, with
    its baseline and target (the trajectory runs between)."""

    indicator = forms.ChoiceField(label=_("Indicateur du catalogue"), required=False)
    measure = forms.ChoiceField(label=_("ou une mesure d'un baromètre ou de la participation"), required=False)

    class Meta:
        model = Kpi
        fields = ["indicator", "measure", "label", "unit", "baseline_value", "baseline_year", "target_value", "target_year",
                  "baseline_evidence"]

    def __init__(self, *args, process, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", "—")] + [
            (i.code, f"{i.label_fr} ({i.unit})") for i in Indicator.objects.order_by("theme", "order", "code")]
        self.fields["baseline_evidence"].queryset = process.evidence.order_by("title")
        self.fields["label"].required = False
        self.fields["label"].help_text = _("Vide : le libellé de l'indicateur du catalogue.")
        self.fields["measure"].choices = [("", "—"), *measure_choices(process)]

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("indicator")) == bool(cleaned.get("measure")):
            self.add_error("indicator", _("Choisissez un indicateur du catalogue ou une mesure (l'un ou l'autre)."))
        baseline, target = cleaned.get("baseline_year"), cleaned.get("target_year")
        if baseline and target and target < baseline:
            self.add_error("target_year", _("L'année cible doit suivre l'année de référence."))
        return cleaned


def measure_choices(process) -> list[tuple[str, str]]:
    """What else a KPI can follow: each barometer measure of the process's surveys that have waves
    (``survey:<id>:<metric>``), and the engagement figures (``engagement:<metric>``)."""

    from .kpis import ENGAGEMENT_METRICS

    choices = []
    for survey in Survey.objects.filter(process=process, waves__isnull=False, current_version__isnull=False).distinct():
        choices += [(f"survey:{survey.pk}:{metric}", f"{survey.title_fr} — {label}")
                    for metric, label in barometer.metric_choices(survey)]
    return choices + [(f"engagement:{code}", label) for code, label in ENGAGEMENT_METRICS.items()]


def apply_measure(kpi, measure: str) -> str:
    """Set the KPI's source from a ``measure`` choice; returns the measure's label (the KPI's default label)."""

    from .kpis import ENGAGEMENT_METRICS
    from .models import KpiSource

    kind, _sep, rest = measure.partition(":")
    if kind == "engagement":
        kpi.source, kpi.metric = KpiSource.ENGAGEMENT, rest
        return ENGAGEMENT_METRICS[rest]
    survey_id, _sep, metric = rest.partition(":")
    survey = Survey.objects.get(pk=int(survey_id))
    kpi.source, kpi.survey, kpi.metric = KpiSource.SURVEY, survey, metric
    return dict(barometer.metric_choices(survey))[metric]


class MeasurementForm(forms.Form):
    year = forms.IntegerField(label=_("Année"), min_value=1900, max_value=2200)
    value = forms.FloatField(label=_("Valeur"))
    source = forms.CharField(label=_("Source"), required=False, max_length=300)


class ObjectiveForm(forms.ModelForm):
    """An objective of the strategy: its axis, title and description; the code is chosen once."""

    class Meta:
        model = Objective
        fields = ["code", "title", "axis", "orientation", "description", "order"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"code": _("Lettres minuscules, chiffres et tirets ; ne change plus ensuite.")}

    def __init__(self, *args, process, **kwargs):
        super().__init__(*args, **kwargs)
        self.process = process
        self.fields["axis"].queryset = process.axes.all()
        self.fields["orientation"].queryset = process.orientations.order_by("title")
        self.fields["orientation"].label = _("Orientation")
        self.fields["order"].label = _("Ordre")
        if self.instance.pk:
            del self.fields["code"]

    def clean_code(self):
        code = self.cleaned_data["code"]
        if Objective.objects.filter(process=self.process, code=code).exists():
            raise forms.ValidationError(_("Un objectif de cette démarche a déjà ce code."))
        return code


class ActionForm(forms.ModelForm):
    """An action of the plan. Its places are picked among the process's sub-territories and, through a
    search by name or code (no list of every commune), among the communes and EPCIs of its territory."""

    class Meta:
        model = Action
        fields = ["code", "title", "description", "parent", "axis", "objective", "lead_organisation", "lead_service",
                  "partners", "audiences", "start", "end", "status", "progress", "weight", "budget_planned",
                  "budget_committed", "budget_spent", "funding_sources", "subterritories"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "partners": forms.Textarea(attrs={"rows": 2}),
                   "start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "subterritories": forms.CheckboxSelectMultiple}
        help_texts = {"code": _("Par exemple A1.2 ; ne change plus ensuite.")}

    def __init__(self, *args, process, found=(), **kwargs):

        super().__init__(*args, **kwargs)
        self.process = process
        self.fields["code"].help_text = _("Par exemple A1.2 ; ne change plus ensuite.")
        parents = process.actions.order_by("order", "code")
        if self.instance.pk:
            del self.fields["code"]
            parents = parents.exclude(pk__in=[self.instance.pk, *_descendants(self.instance)])
        self.fields["parent"].queryset = parents
        self.fields["axis"].queryset = process.axes.all()
        self.fields["objective"].queryset = process.objectives.order_by("order", "code")
        places = self.fields["subterritories"]
        places.queryset = pickable(process.territory)
        places.label = _("Territoires concernés")
        places.help_text = _("Vide : tout le territoire de la démarche.")
        places.widget.choices = [(t.pk, t.name if t.level == "zone" else str(t)) for t in
                                 _shown_places(process, self.instance, found, self.data.getlist("subterritories")
                                               if self.is_bound else ())]

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code or any(c in code for c in "/ ?#"):
            raise forms.ValidationError(_("Un code sans espace ni « / », « ? », « # » (par exemple A1.2)."))
        if Action.objects.filter(process=self.process, code=code).exists():
            raise forms.ValidationError(_("Une action de cette démarche a déjà ce code."))
        return code

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("La fin doit suivre le début."))
        progress = cleaned.get("progress")
        if progress is not None and not 0 <= progress <= 100:
            self.add_error("progress", _("Un pourcentage entre 0 et 100."))
        weight = cleaned.get("weight")
        if weight is not None and weight <= 0:
            self.add_error("weight", _("Un poids strictement positif."))
        return cleaned


def _descendants(action) -> list[int]:
    found, frontier = [], [action.pk]
    while frontier:
        frontier = list(Action.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        found.extend(frontier)
    return found


def _shown_places(process, action, found, posted) -> list:
    """The places offered as boxes: those already chosen (saved or posted), the process's
    sub-territories, then the search results — a few dozen at most, never every commune."""

    chosen = list(action.subterritories.all()) if action.pk else []
    posted_ids = [int(v) for v in posted if str(v).isdigit()]
    chosen += list(Territory.objects.filter(pk__in=posted_ids))
    shown, seen = [], set()
    for place in [*chosen, *process.subterritories.order_by("name"), *found]:
        if place.pk not in seen:
            seen.add(place.pk)
            shown.append(place)
    return shown


class PlaceSearchForm(forms.Form):
    q = forms.CharField(label=_("Chercher une commune ou un EPCI (nom ou code)"), required=False, max_length=100)
