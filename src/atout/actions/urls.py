from django.urls import path

from . import editing, tracking_views, views

app_name = "actions"
urlpatterns = [
    path("<slug:slug>/", views.accountability, name="accountability"),
    path("<slug:slug>/suivi/", views.dashboard, name="dashboard"),
    path("<slug:slug>/importer/", views.import_plan, name="import"),
    path("<slug:slug>/export/", views.export, name="export"),
    path("<slug:slug>/modele.csv", views.template, name="template"),
    path("<slug:slug>/objectifs/", editing.objectives, name="objectives"),
    path("<slug:slug>/objectif/<slug:code>/", editing.objective_edit, name="objective_edit"),
    path("<slug:slug>/objectif/<slug:code>/indicateurs/", editing.objective_kpi_add, name="objective_kpi_add"),
    path("<slug:slug>/nouvelle-action/", editing.action_add, name="action_add"),
    path("<slug:slug>/action/<str:code>/", views.action, name="action"),
    path("<slug:slug>/action/<str:code>/modifier/", editing.action_edit, name="action_edit"),
    path("<slug:slug>/indicateur/<int:pk>/modifier/", editing.kpi_edit, name="kpi_edit"),
    path("<slug:slug>/action/<str:code>/avancement/", views.update, name="update"),
    path("<slug:slug>/action/<str:code>/jalons/", tracking_views.milestone_add, name="milestone_add"),
    path("<slug:slug>/jalon/<int:pk>/", tracking_views.milestone_change, name="milestone_change"),
    path("<slug:slug>/action/<str:code>/indicateurs/", tracking_views.kpi_add, name="kpi_add"),
    path("<slug:slug>/indicateur/<int:pk>/supprimer/", tracking_views.kpi_delete, name="kpi_delete"),
    path("<slug:slug>/indicateur/<int:pk>/mesures/", tracking_views.measurement_add, name="measurement_add"),
]
