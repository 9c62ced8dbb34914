from django.contrib import admin

from .models import Analysis, Conversation, Participant, Statement


class StatementInline(admin.TabularInline):
    model = Statement
    fields = ["number", "text", "seed", "status", "moderation_reason"]
    extra = 0
    show_change_link = True


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["question", "process", "status", "moderation", "simulated"]
    list_filter = ["status", "process"]
    inlines = [StatementInline]


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["number", "text", "conversation", "status"]
    list_filter = ["status", "conversation"]
    search_fields = ["text"]
    raw_id_fields = ["author", "moderated_by"]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["number", "conversation", "age_band", "status", "commune"]
    list_filter = ["conversation", "age_band", "status"]
    raw_id_fields = ["user"]
    autocomplete_fields = ["commune"]
    exclude = ["anonymous_key"]


@admin.register(Analysis)
class AnalysisAdmin(admin.ModelAdmin):
    list_display = ["conversation", "created", "votes_count"]
    readonly_fields = ["conversation", "created", "parameters", "votes_count", "result"]
