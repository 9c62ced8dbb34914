"""The core app: shared infrastructure under every feature app (access, audit, throttling, uploads,
background tasks, backups, vocabularies). It imports no feature app; the apps register with it."""

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def create_cache_table(sender, using="default", verbosity=1, **kwargs):
    """`atout migrate` also makes the shared cache's table (settings.CACHES), so no deployment forgets it."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "atout.core"
    label = "core"
    verbose_name = "atout"

    def ready(self):
        from . import audit, checks, sqlite  # noqa: F401 - importing checks registers the deployment checks

        audit.connect()
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="atout-cache-table")
        connection_created.connect(sqlite.fold_case_as_postgresql, dispatch_uid="atout-sqlite-like")
