"""Admin of processes: administrators see them all; a team member (staff) sees and edits only the
processes where they have the team role, with their phases, axes and roles, and cannot create or delete
a process. Every other admin page is closed to non-superusers (:mod:`atout.web.adminsite`)."""

from django.contrib import admin

from .models import Axis, Phase, Process, ProcessRole, Role


def team_processes(user):
    """The processes ``user`` may administer: all for a superuser, else those where they are on the team."""
    if user.is_superuser:
        return Process.objects.all()
    return Process.objects.filter(roles__user=user, roles__role=Role.TEAM).distinct()


def on_team_of(user, process) -> bool:
    return user.is_superuser or (process is not None and team_processes(user).filter(pk=process.pk).exists())


class ScopedInline(admin.TabularInline):
    """Rows of a process the person administers, and only under it (the parent sets their process)."""

    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).filter(process__in=team_processes(request.user))

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (obj is None or on_team_of(request.user, obj))

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and on_team_of(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and on_team_of(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and on_team_of(request.user, obj)


class PhaseInline(ScopedInline):
    model = Phase


class AxisInline(ScopedInline):
    model = Axis


class RoleInline(ScopedInline):
    model = ProcessRole
    raw_id_fields = ["user"]


@admin.register(Process)
class ProcessAdmin(admin.ModelAdmin):
    #: Opened to staff by atout.web.adminsite, because every method below limits it to their processes.
    team_scoped = True
    list_display = ["title", "slug", "territory", "status", "is_demo"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    # Territories by search (autocomplete): a plain list would carry the 36,000 communes of France.
    autocomplete_fields = ["territory", "subterritories"]
    inlines = [PhaseInline, AxisInline, RoleInline]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=team_processes(request.user).values("pk"))

    def get_readonly_fields(self, request, obj=None):
        # The territory search (autocomplete) reads the territories' admin, which is for administrators:
        # a team member sees their process's territory and sub-territories without changing them.
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return [*super().get_readonly_fields(request, obj), "territory", "subterritories"]

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (obj is None or on_team_of(request.user, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or on_team_of(request.user, obj))

    def has_add_permission(self, request):
        # A process is created by an administrator (or `atout process create`), who then names its team.
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)
