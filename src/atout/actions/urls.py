from django.urls import path

from . import views

app_name = "actions"
urlpatterns = [
    path("<slug:slug>/", views.accountability, name="accountability"),
    path("<slug:slug>/suivi/", views.dashboard, name="dashboard"),
    path("<slug:slug>/importer/", views.import_plan, name="import"),
    path("<slug:slug>/export/", views.export, name="export"),
    path("<slug:slug>/modele.csv", views.template, name="template"),
    path("<slug:slug>/action/<str:code>/", views.action, name="action"),
    path("<slug:slug>/action/<str:code>/avancement/", views.update, name="update"),
]
