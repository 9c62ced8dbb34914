from django.urls import path

from . import views

app_name = "opendata"
urlpatterns = [
    path("<slug:slug>/", views.package, name="package"),
    path("<slug:slug>/paquet.zip", views.package_zip, name="zip"),
    path("<slug:slug>/datapackage.json", views.descriptor, name="descriptor"),
    path("<slug:slug>/<slug:resource>.csv", views.resource, name="resource"),
]
