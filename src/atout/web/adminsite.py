"""The admin site: administrators reach everything; a team member only their processes.

Team members are staff (they edit their process, its phases, axes and roles in ``/admin/``), but the
admin's permissions are per model, not per process: a member holding ``processes.change_process`` could
otherwise change any process. So the site is **closed by default**: every admin page registered here
is for superusers only, unless its class declares ``team_scoped = True`` and limits itself to the
person's processes (:class:`atout.processes.admin.ProcessAdmin`). An admin page added later, ours or a
library's, starts closed (tested in ``tests/web/test_admin_scope.py``).

Sign-in goes through the same throttling as the site's (:mod:`atout.core.login`), with the same answer
when locked: HTTP 429 and the lock message.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.forms.forms import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _


class SuperusersOnly:
    """Mixed into every admin page that is not scoped to the person's processes."""

    def has_module_permission(self, request):
        return request.user.is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class AtoutAdminSite(admin.AdminSite):
    site_header = _("atout — administration")
    site_title = "atout"

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not getattr(admin_class, "team_scoped", False):
            admin_class = type(admin_class.__name__, (SuperusersOnly, admin_class),
                               {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__})
        super().register(model_or_iterable, admin_class, **options)

    @property
    def login_form(self):
        from atout.core.login import ThrottledAdminAuthenticationForm  # imports models: not at start-up

        return ThrottledAdminAuthenticationForm

    def login(self, request, extra_context=None):
        from atout.core.login import remember_device

        response = super().login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        if form is not None and form.has_error(NON_FIELD_ERRORS, "throttled"):
            response.status_code = 429  # as on the site's sign-in page: locked, and says until when
        return remember_device(request, response)


class AdminConfig(DjangoAdminConfig):
    """``django.contrib.admin`` with :class:`AtoutAdminSite` as ``admin.site``."""

    default_site = "atout.web.adminsite.AtoutAdminSite"
