"""Admin: the audit log (read only). The site itself (closed by default to non-superusers, sign-in
throttled like the site's) is :class:`atout.web.adminsite.AtoutAdminSite`."""

from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "action", "object_type", "object_id", "object_label", "process")
    list_filter = ("action", "object_type", "process")
    search_fields = ("username", "object_label", "object_id")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
