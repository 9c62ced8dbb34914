"""/api/v1/… (the NinjaAPI), /api/docs (interactive documentation), /api/jetons/ (one's tokens)."""

from django.urls import path

from . import views
from .v1 import api

app_name = "api"
urlpatterns = [
    path("v1/", api.urls),
    path("v1/<path:rest>", views.not_found, name="not_found"),
    path("docs", views.docs, name="docs"),
    path("jetons/", views.token_list, name="tokens"),
    path("jetons/<int:token>/revoquer/", views.token_revoke, name="token_revoke"),
]
