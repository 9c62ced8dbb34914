from django.apps import AppConfig


class ProcessesConfig(AppConfig):
    name = "atout.processes"
    label = "processes"
