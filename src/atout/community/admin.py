from django.contrib import admin

from . import models


@admin.register(models.Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    list_editable = ["order"]


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "sector", "commune", "process"]
    list_filter = ["process", "kind", "sector"]
    search_fields = ["name"]
    autocomplete_fields = ["commune"]


class ConsentInline(admin.TabularInline):
    model = models.ConsentRecord
    extra = 0
    fields = ["purpose", "granted", "date", "source", "text_version"]


@admin.register(models.Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "category", "organisation", "commune", "process"]
    list_filter = ["process", "category"]
    search_fields = ["last_name", "first_name", "email"]
    raw_id_fields = ["organisation", "user"]
    autocomplete_fields = ["commune"]
    inlines = [ConsentInline]


@admin.register(models.Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["process", "category", "count"]


@admin.register(models.Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "start", "commune", "capacity", "process"]
    list_filter = ["process", "kind"]
    autocomplete_fields = ["commune"]


@admin.register(models.BrandKit)
class BrandKitAdmin(admin.ModelAdmin):
    list_display = ["process", "tagline"]


@admin.register(models.Bounce)
class BounceAdmin(admin.ModelAdmin):
    list_display = ["email", "kind", "reason", "date"]


@admin.register(models.Ambassador)
class AmbassadorAdmin(admin.ModelAdmin):
    list_display = ["display_name", "kind", "commune", "status", "process"]
    list_filter = ["process", "kind", "status"]
    raw_id_fields = ["user"]
    autocomplete_fields = ["commune"]


@admin.register(models.Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["title", "ambassador", "status", "created"]
    list_filter = ["status"]
    autocomplete_fields = ["moderated_by"]
