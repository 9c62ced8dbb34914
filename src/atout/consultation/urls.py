from django.urls import path

from .views import barometer, public, team

app_name = "consultation"
urlpatterns = [
    # Public answering
    path("<slug:slug>/q/<slug:survey>/", public.start, name="start"),
    path("<slug:slug>/q/<slug:survey>/invitation/<str:token>/", public.invitation, name="invitation"),
    path("<slug:slug>/q/<slug:survey>/r/<str:resume>/", public.resume, name="resume"),
    path("<slug:slug>/q/<slug:survey>/r/<str:resume>/page/<int:page>/", public.answer_page, name="page"),
    path("<slug:slug>/q/<slug:survey>/r/<str:resume>/recu/", public.receipt, name="receipt"),
    path("<slug:slug>/q/<slug:survey>/resultats/", team.public_results, name="public_results"),
    # The respondent's own answers
    path("<slug:slug>/mes-reponses/", public.my_responses, name="mine"),
    # Back office
    path("<slug:slug>/questionnaires/", team.survey_list, name="list"),
    path("<slug:slug>/questionnaires/importer/", team.upload, name="upload"),
    path("<slug:slug>/questionnaires/<slug:survey>/", team.builder, name="builder"),
    path("<slug:slug>/questionnaires/<slug:survey>/question/<str:name>/", team.edit_question, name="edit_question"),
    path("<slug:slug>/questionnaires/<slug:survey>/quotas/", team.quotas_page, name="quotas"),
    path("<slug:slug>/questionnaires/<slug:survey>/apercu/", team.preview, name="preview"),
    path("<slug:slug>/questionnaires/<slug:survey>/invitations/", team.invitations, name="invitations"),
    path("<slug:slug>/questionnaires/<slug:survey>/resultats/", team.results_page, name="results"),
    path("<slug:slug>/questionnaires/<slug:survey>/barometre/", barometer.waves_page, name="barometer"),
    path("<slug:slug>/questionnaires/<slug:survey>/ponderation/", team.weighting, name="weighting"),
    path("<slug:slug>/questionnaires/<slug:survey>/export/<str:fmt>/", team.export, name="export"),
    path("<slug:slug>/questionnaires/<slug:survey>/xlsform/", team.export_xlsform, name="export_xlsform"),
]
