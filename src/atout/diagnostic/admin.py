"""Admin of the diagnostic: the indicator catalogue is editable; imports are read-only records."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from atout.engine.catalogue import catalogue_from_entries
from atout.engine.formats.errors import FormatError

from .catalogue_store import entry_of
from .models import ImportBatch, Indicator, Observation, Series


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["code", "theme", "order", "label_fr", "label_en", "long_label_fr", "long_label_en", "definition_fr",
                  "definition_en", "unit", "source", "vintage", "polarity", "kind", "domain", "dimension", "audiences",
                  "axis", "inputs", "weights", "files", "ptod", "numerator", "denominator", "scale", "from_indicator",
                  "to_indicator", "years", "method", "aspect", "higher_fr", "higher_en", "lower_fr", "lower_en"]

    def _post_clean(self):
        """The edited indicator must leave the whole catalogue valid (references, kinds, inputs)."""
        super()._post_clean()  # builds self.instance from the cleaned data
        if self.errors:
            return
        others = Indicator.objects.exclude(pk=self.instance.pk).exclude(code=self.instance.code)
        entries = [entry_of(row) for row in others] + [entry_of(self.instance)]
        try:
            catalogue_from_entries(entries, source="admin")
        except FormatError as exc:
            self.add_error(None, [p.message for p in exc.problems] or [exc.message])


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    form = IndicatorForm
    list_display = ["code", "label_fr", "theme", "kind", "unit", "polarity", "vintage", "edited"]
    list_filter = ["theme", "kind", "domain", "axis", "edited"]
    search_fields = ["code", "label_fr", "label_en", "source"]

    def save_model(self, request, obj, form, change):
        obj.edited = True  # a later catalogue sync leaves it as edited here
        super().save_model(request, obj, form, change)


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "year", "source", "vintage"]
    search_fields = ["code", "label"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["file_name", "format", "created", "created_by", "sha256"]
    list_filter = ["format"]
    readonly_fields = ["file_name", "format", "sha256", "source", "vintage", "counts", "created", "created_by"]

    def has_add_permission(self, request):
        return False  # imports go through the import page or `atout indicators import`


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = ["territory", "series", "indicator", "year", "value", "batch"]
    list_select_related = ["territory", "series", "indicator", "batch"]
    search_fields = ["territory__code", "series__code", "indicator__code"]
    raw_id_fields = ["series", "indicator", "batch"]
    autocomplete_fields = ["territory"]
    readonly_fields = ["batch"]

    def has_add_permission(self, request):
        return False



