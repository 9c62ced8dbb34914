from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "atout.fieldwork"
    label = "fieldwork"
