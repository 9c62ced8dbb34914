"""Pages around the API: the interactive documentation and each person's tokens."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from atout.core import access

from . import tokens
from .core import error_payload
from .forms import TokenForm
from .models import ApiToken


@access.public
def docs(request):
    """Swagger UI on the OpenAPI description, with ninja's bundled assets (no CDN)."""
    settings = {"url": reverse("api:v1:openapi-json"), "layout": "BaseLayout", "deepLinking": True}
    return render(request, "api/docs.html", {"swagger_settings": json.dumps(settings)})


@access.public
def not_found(request, rest):
    """Any other address under /api/v1/ answers a JSON error, like the API itself."""
    return JsonResponse(error_payload(404, f"No API endpoint at /api/v1/{rest}."), status=404)


@access.participant
@never_cache  # the answer to a creation holds the key
def token_list(request):
    """List, create (the key is shown once) and revoke one's own tokens."""
    created = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, key = tokens.create_token(request.user, form.cleaned_data["name"], form.cleaned_data["scope"])
        created = {"token": token, "key": key}
        form = TokenForm()
    items = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created", "-pk")
    return render(request, "api/tokens.html", {"form": form, "created": created, "tokens": items},
                  status=400 if form.is_bound and form.errors else 200)


@access.participant
@require_POST
def token_revoke(request, token):
    item = get_object_or_404(ApiToken, pk=token, user=request.user)
    tokens.revoke(item)
    messages.success(request, _("Jeton %(prefix)s révoqué : il ne donne plus accès à l'API.") % {"prefix": item.prefix})
    return redirect("api:tokens")
