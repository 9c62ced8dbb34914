"""Friendly pages for the bare responses Django's decorators return (405 Method Not Allowed)."""

from django.shortcuts import render
from django.utils.translation import gettext as _


class FriendlyMethodNotAllowed:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            friendly = render(request, "web/error.html", {
                "status": 405,
                "title": _("Action non permise"),
                "text": _("Cette adresse reçoit un formulaire ; elle ne s'affiche pas directement."),
            }, status=405)
            friendly["Allow"] = response.get("Allow", "")
            return friendly
        return response
