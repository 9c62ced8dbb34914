from django.contrib import admin

from .models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Read-only: reports are produced from the team's reports page or the command line."""

    list_display = ["__str__", "process", "status", "progress", "pages", "duration", "created_by", "created"]
    list_filter = ["process", "kind", "format", "status"]
    readonly_fields = [f.name for f in Report._meta.fields]

    def has_add_permission(self, request):
        return False
