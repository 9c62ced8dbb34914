from django import forms
from django.utils.translation import gettext_lazy as _

from . import content
from .models import Report


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Rapport"), choices=Report.Kind.choices)
    territory = forms.ChoiceField(label=_("Sous-territoire (pour une fiche)"), required=False,
                                  help_text=_("Un EPCI du territoire ou un sous-territoire de la démarche."))
    format = forms.ChoiceField(label=_("Format"), choices=Report.Format.choices, initial=Report.Format.PDF)

    def __init__(self, *args, process=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.process = process
        zones = [(t.key, t.name) for t in process.subterritories.order_by("name")]
        epcis = [(t.key, t.name) for t in process.territory.epcis().order_by("name")]
        self.fields["territory"].choices = [("", "—")] + ([(_("Sous-territoires"), zones)] if zones else []) + (
            [(_("EPCI"), epcis)] if epcis else [])

    def clean(self):
        data = super().clean()
        if data.get("kind") == Report.Kind.FACTSHEET:
            if not data.get("territory"):
                self.add_error("territory", _("Choisissez le sous-territoire de la fiche."))
            else:
                try:
                    data["subject"] = content.factsheet_subject(self.process, data["territory"])
                except content.SubjectError as exc:
                    self.add_error("territory", str(exc))
        else:
            data["subject"] = None
        return data
