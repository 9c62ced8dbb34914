from django.apps import AppConfig


class ConsultationConfig(AppConfig):
    name = "atout.consultation"
    label = "consultation"
