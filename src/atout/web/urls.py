from django.contrib.auth import views as auth_views
from django.urls import path

from atout.core import login

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("compte/", views.account, name="account"),
    path("sources/", views.sources, name="sources"),
    path("journal/<slug:slug>/", views.journal, name="journal"),
]

#: Authentication pages, mounted at the root URLconf without a namespace (Django expects "login").
auth_urlpatterns = [
    path("connexion/", login.login, name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
]
