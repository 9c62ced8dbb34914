from django.urls import path

from . import views

app_name = "sectors"
urlpatterns = [
    path("<slug:slug>/", views.filieres, name="list"),
    path("<slug:slug>/nouvelle/", views.create, name="create"),
    path("<slug:slug>/<slug:filiere>/", views.detail, name="detail"),
    path("<slug:slug>/<slug:filiere>/modifier/", views.edit, name="edit"),
]
