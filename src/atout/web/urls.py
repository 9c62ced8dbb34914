from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("compte/", views.account, name="account"),
    path("sources/", views.sources, name="sources"),
]

#: Authentication pages, mounted at the root URLconf without a namespace (Django expects "login").
auth_urlpatterns = [
    path("connexion/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
]
