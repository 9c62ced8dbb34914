from django.contrib import admin

from .models import Axis, Phase, Process, ProcessRole


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


class AxisInline(admin.TabularInline):
    model = Axis
    extra = 0


class RoleInline(admin.TabularInline):
    model = ProcessRole
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Process)
class ProcessAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "territory", "status", "is_demo"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    raw_id_fields = ["territory"]
    filter_horizontal = ["subterritories"]
    inlines = [PhaseInline, AxisInline, RoleInline]
