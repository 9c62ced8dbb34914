from django.apps import AppConfig


class WebConfig(AppConfig):
    """Pages shared by every process (home, account, sources, journal) and the site's middleware; the
    infrastructure they use lives in :mod:`atout.core`."""

    name = "atout.web"
    label = "web"
