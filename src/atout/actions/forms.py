from django import forms
from django.utils.translation import gettext_lazy as _

from atout.core.uploads import UploadField
from atout.diagnostic.models import Indicator

from .models import Kpi, Milestone, Status
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
    from atout.consultation import barometer
    from atout.consultation.models import Survey

    from .kpis import ENGAGEMENT_METRICS

    choices = []
    for survey in Survey.objects.filter(process=process, waves__isnull=False, current_version__isnull=False).distinct():
        choices += [(f"survey:{survey.pk}:{metric}", f"{survey.title_fr} — {label}")
                    for metric, label in barometer.metric_choices(survey)]
    return choices + [(f"engagement:{code}", label) for code, label in ENGAGEMENT_METRICS.items()]


def apply_measure(kpi, measure: str) -> str:
    """Set the KPI's source from a ``measure`` choice; returns the measure's label (the KPI's default label)."""
    from atout.consultation import barometer
    from atout.consultation.models import Survey

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
