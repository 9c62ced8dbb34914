"""Root URL configuration: each app mounts its own ``urls.py``."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from atout.web.urls import auth_urlpatterns

urlpatterns = [
    *auth_urlpatterns,
    path("", include("atout.web.urls")),
    path("territoires/", include("atout.territories.urls")),
    path("diagnostic/", include("atout.diagnostic.urls")),
    path("consultation/", include("atout.consultation.urls")),
    path("terrain/", include("atout.fieldwork.urls")),
    path("opinion/", include("atout.opinion.urls")),
    path("strategie/", include("atout.strategy.urls")),
    path("actions/", include("atout.actions.urls")),
    path("communaute/", include("atout.community.urls")),
    path("filieres/", include("atout.sectors.urls")),
    path("p/", include("atout.processes.urls")),
    path("rapports/", include("atout.reports.urls")),
    path("donnees/", include("atout.opendata.urls")),
    path("api/", include("atout.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler400 = "atout.web.views.bad_request"
handler403 = "atout.web.views.permission_denied"
handler404 = "atout.web.views.page_not_found"
handler500 = "atout.web.views.server_error"

if settings.DEBUG:  # pragma: no cover - local development only
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
