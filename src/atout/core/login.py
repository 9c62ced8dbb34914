"""Sign-in with throttling (see :mod:`atout.core.throttle`): the site's login page and the admin's."""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.forms.forms import NON_FIELD_ERRORS
from django.utils.translation import ngettext

from . import access, throttle


def locked_error(wait) -> ValidationError:
    n = throttle.minutes(wait)
    return ValidationError(
        ngettext("Trop de tentatives de connexion échouées. Par sécurité, réessayez dans %(minutes)d minute.",
                 "Trop de tentatives de connexion échouées. Par sécurité, réessayez dans %(minutes)d minutes.",
                 n),
        code="throttled", params={"minutes": n})


class ThrottledMixin:
    """Refuses to check the password while the username (for a browser not known to it) or the client is
    locked; counts failures. A successful sign-in makes the browser known to the account."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        device = throttle.known_device(self.request, username)
        keys = throttle.keys_for(username, throttle.client_address(self.request), device=device)
        wait = throttle.wait_time(keys)
        if wait is not None:
            raise locked_error(wait)
        try:
            cleaned = super().clean()
        except ValidationError:
            throttle.record_failure(keys)
            raise
        throttle.reset(username, device)
        self.request.atout_device_cookie = throttle.device_cookie(username, device)
        return cleaned


def remember_device(request, response):
    """Set the known-browser cookie on ``response`` after a successful sign-in through a throttled form."""
    value = getattr(request, "atout_device_cookie", None)
    if value:
        response.set_cookie(throttle.DEVICE_COOKIE, value, max_age=throttle.DEVICE_MAX_AGE, httponly=True,
                            secure=settings.SESSION_COOKIE_SECURE, samesite="Lax")
    return response


class ThrottledAuthenticationForm(ThrottledMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledMixin, AdminAuthenticationForm):
    pass


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        return remember_device(self.request, super().form_valid(form))

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "throttled"):
            response.status_code = 429  # Too Many Requests: the page still explains why and when to retry
        return response


login = access.public(LoginView.as_view())
