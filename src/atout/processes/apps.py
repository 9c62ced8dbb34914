from django.apps import AppConfig


class ProcessesConfig(AppConfig):
    name = "atout.processes"
    label = "processes"

    def ready(self):
        # core's access decorators load the process of the URL and check roles through these.
        from atout.core import access

        from .models import Process
        from .roles import has_role

        access.use_roles(process_model=Process, has_role=has_role)
