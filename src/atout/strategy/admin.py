from django.contrib import admin

from .models import (
    Evidence,
    EvidenceLink,
    Objective,
    Orientation,
    PerceptionMap,
    Positioning,
    PrioritisationSettings,
    ProofPoint,
    SwotItem,
)


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "process", "value", "n", "source", "vintage", "public", "simulated"]
    list_filter = ["process", "kind", "public", "simulated"]
    search_fields = ["title", "summary", "source", "key"]


@admin.register(EvidenceLink)
class EvidenceLinkAdmin(admin.ModelAdmin):
    list_display = ["evidence", "target_type", "target_id", "note"]
    autocomplete_fields = ["evidence"]


@admin.register(SwotItem)
class SwotItemAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "process", "whole_territory", "axis", "domain"]
    list_filter = ["process", "kind", "status", "domain"]
    search_fields = ["title"]
    # Search fields, not a list of every territory (36,000 communes) in the form.
    autocomplete_fields = ["subterritories"]
    raw_id_fields = ["merged_into"]


class ProofPointInline(admin.TabularInline):
    model = ProofPoint
    extra = 0


@admin.register(Positioning)
class PositioningAdmin(admin.ModelAdmin):
    inlines = [ProofPointInline]


@admin.register(Orientation)
class OrientationAdmin(admin.ModelAdmin):
    list_display = ["title", "axis", "domain", "process"]
    list_filter = ["process", "domain"]


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "axis", "process"]
    list_filter = ["process"]
    search_fields = ["code", "title"]


@admin.register(PerceptionMap)
class PerceptionMapAdmin(admin.ModelAdmin):
    list_display = ["process", "example", "updated"]


@admin.register(PrioritisationSettings)
class PrioritisationSettingsAdmin(admin.ModelAdmin):
    list_display = ["process", "mode", "updated"]
