from django.urls import path

from . import views

app_name = "processes"
urlpatterns = [
    path("", views.chooser, name="chooser"),
    path("<slug:slug>/", views.home, name="home"),
    path("<slug:slug>/equipe/", views.team, name="team"),
]
