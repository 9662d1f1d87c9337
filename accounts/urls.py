from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from accounts.forms import LoginForm

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    # Django's LogoutView accepts POST only, so a link or an image cannot log anyone out.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("otp/", views.otp_verify_view, name="otp_verify"),
    path("otp/setup/", views.otp_setup_view, name="otp_setup"),
    path("activate/<uidb64>/<token>/", views.ActivateView.as_view(), name="activate"),
    path("security/", views.security_center, name="security"),
    path("security/grants/<int:pk>/decide/", views.grant_decide, name="grant_decide"),
    path("security/password-reset/", views.password_reset, name="password_reset"),
    path("security/unlock/", views.unlock, name="unlock"),
    path("security/otp-reset/", views.otp_reset_view, name="otp_reset"),
]
