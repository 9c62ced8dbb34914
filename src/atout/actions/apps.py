from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "atout.actions"
    label = "actions"
