from django.contrib import admin

from .models import Filiere


@admin.register(Filiere)
class FiliereAdmin(admin.ModelAdmin):
    list_display = ["name", "process", "slug", "order"]
    list_filter = ["process"]
    search_fields = ["name", "slug"]
    filter_horizontal = ["organisations", "swot_items", "objectives", "actions", "kpis"]
