from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Status


class PlanImportForm(forms.Form):
    spreadsheet = forms.FileField(
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
        self.fields["zone"].choices = [("", _("Tout le territoire"))] + [
            (t.code, t.name) for t in process.subterritories.order_by("name")]


class ProgressUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Statut"), choices=Status.choices)
    progress = forms.FloatField(label=_("Avancement (%)"), required=False, min_value=0, max_value=100,
                                help_text=_("Vide : l'avancement par défaut du statut."))
    note = forms.CharField(label=_("Commentaire"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
