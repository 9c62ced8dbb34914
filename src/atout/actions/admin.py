from django.contrib import admin

from .models import Action, Kpi, Measurement, Milestone, ProgressUpdate


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    autocomplete_fields = ["evidence"]


class MeasurementInline(admin.TabularInline):
    model = Measurement
    extra = 0


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "process", "axis", "status", "progress", "weight", "end"]
    list_filter = ["process", "status", "axis"]
    search_fields = ["code", "title", "lead_organisation"]
    # Territories by search (autocomplete): a plain list would carry the 36,000 communes of France.
    autocomplete_fields = ["parent", "objective", "subterritories"]
    inlines = [MilestoneInline]


@admin.register(Kpi)
class KpiAdmin(admin.ModelAdmin):
    list_display = ["label", "indicator", "process", "baseline_value", "baseline_year", "target_value", "target_year"]
    list_filter = ["process"]
    autocomplete_fields = ["action", "objective", "baseline_evidence"]
    inlines = [MeasurementInline]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    list_display = ["action", "created", "status", "progress", "author"]
    list_filter = ["action__process"]
    autocomplete_fields = ["author"]
