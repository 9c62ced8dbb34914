from django.urls import path

from . import views

app_name = "territories"
urlpatterns = [
    path("<str:key>/", views.detail, name="detail"),
]
