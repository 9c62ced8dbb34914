"""Sign-in with throttling (see :mod:`atout.web.throttle`): the site's login page and the admin's."""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.forms.forms import NON_FIELD_ERRORS
from django.utils.translation import ngettext

from . import access, throttle


class ThrottledMixin:
    """Refuses to check the password while the username or the client is locked; counts failures."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        keys = throttle.keys_for(username, throttle.client_address(self.request))
        wait = throttle.wait_time(keys)
        if wait is not None:
            n = throttle.minutes(wait)
            raise ValidationError(
                ngettext("Trop de tentatives de connexion échouées. Par sécurité, réessayez dans %(minutes)d minute.",
                         "Trop de tentatives de connexion échouées. Par sécurité, réessayez dans %(minutes)d minutes.",
                         n),
                code="throttled", params={"minutes": n})
        try:
            cleaned = super().clean()
        except ValidationError:
            throttle.record_failure(keys)
            raise
        throttle.reset(username)
        return cleaned


class ThrottledAuthenticationForm(ThrottledMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledMixin, AdminAuthenticationForm):
    pass


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "throttled"):
            response.status_code = 429  # Too Many Requests: the page still explains why and when to retry
        return response


login = access.public(LoginView.as_view())
