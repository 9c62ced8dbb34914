from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("<slug:slug>/", views.index, name="index"),
    path("<slug:slug>/generer/", views.start, name="start"),
    path("<slug:slug>/<int:pk>/", views.detail, name="detail"),
    path("<slug:slug>/<int:pk>/fichier/", views.download, name="download"),
]
