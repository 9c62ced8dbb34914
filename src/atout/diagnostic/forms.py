"""Forms of the diagnostic pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from atout.core.uploads import UploadField

from .models import ImportBatch


class ImportForm(forms.Form):
    file = UploadField(kinds=["csv", "xlsx", "json"], label=_("Fichier"), help_text=_("CSV (séparateur ; ou ,), XLSX pour une table large, JSON pour PTOD."))
    format = forms.ChoiceField(label=_("Format"), choices=ImportBatch.Format.choices)
    source = forms.CharField(label=_("Source à citer"), required=False, max_length=300,
                             help_text=_("Par défaut : le format et le nom du fichier."))
