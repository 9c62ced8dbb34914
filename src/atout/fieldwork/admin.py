from django.contrib import admin

from .models import (
    Attachment,
    Code,
    Codebook,
    Coding,
    Contribution,
    ContributionImport,
    Excerpt,
    ParticipantGroup,
    Session,
    Theme,
    ThemeRun,
)


class ParticipantGroupInline(admin.TabularInline):
    model = ParticipantGroup
    extra = 0


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ["label", "kind", "size", "created"]
    readonly_fields = ["kind", "size", "created"]
    extra = 0


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "process", "kind", "date", "place", "simulated"]
    list_filter = ["process", "kind", "simulated"]
    raw_id_fields = ["facilitator"]
    autocomplete_fields = ["place"]
    inlines = [ParticipantGroupInline, AttachmentInline]


class CodeInline(admin.TabularInline):
    model = Code
    fields = ["name", "parent", "swot", "axis", "order"]
    extra = 0


@admin.register(Codebook)
class CodebookAdmin(admin.ModelAdmin):
    list_display = ["name", "process"]
    inlines = [CodeInline]


class CodingInline(admin.TabularInline):
    model = Coding
    extra = 0
    raw_id_fields = ["coder"]


@admin.register(Excerpt)
class ExcerptAdmin(admin.ModelAdmin):
    list_display = ["__str__", "process", "session", "speaker_category", "subterritory"]
    list_filter = ["process"]
    raw_id_fields = ["session", "contribution", "answer", "created_by"]
    autocomplete_fields = ["subterritory"]
    inlines = [CodingInline]


@admin.register(ContributionImport)
class ContributionImportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "process", "platform", "count", "created"]
    autocomplete_fields = ["imported_by"]


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["external_id", "platform", "kind", "batch"]
    list_filter = ["platform", "batch"]
    search_fields = ["text", "title"]


@admin.register(ThemeRun)
class ThemeRunAdmin(admin.ModelAdmin):
    list_display = ["__str__", "process", "status", "progress", "answers", "published", "created"]
    exclude = ["state"]
    autocomplete_fields = ["created_by"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["label", "run", "number", "size", "code"]
