"""The accounts API; ``bazary.urls`` mounts it at ``auth/``."""

from django.urls import include, path

from . import me, views
from .activity.api import ActivityView
from .mfa import urls as mfa_urls

app_name = "bazary_accounts"

addresses = views.AddressViewSet.as_view({"get": "list", "post": "create"})
address = views.AddressViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
)

urlpatterns = [
    path("register/", views.RegisterView.as_view(), name="register"),
    path("verify-email/", views.VerifyEmailView.as_view(), name="verify-email"),
    path("verify-email/resend/", views.ResendVerificationView.as_view(), name="verify-email-resend"),
    path("token/", views.LoginView.as_view(), name="token"),
    path("unlock/", views.UnlockView.as_view(), name="unlock"),
    path("token/refresh/", views.RefreshView.as_view(), name="token-refresh"),
    path("token/verify/", views.TokenVerifyView.as_view(), name="token-verify"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("logout-all/", views.LogoutAllView.as_view(), name="logout-all"),
    path("me/", views.MeView.as_view(), name="me"),
    path("me/avatar/", me.AvatarView.as_view(), name="me-avatar"),
    path("me/marketing/", me.MarketingConsentView.as_view(), name="me-marketing"),
    path("me/export/", me.ExportView.as_view(), name="me-export"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password-change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password/reset/confirm/", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path("email/change/", views.EmailChangeView.as_view(), name="email-change"),
    path("email/change/confirm/", views.EmailChangeConfirmView.as_view(), name="email-change-confirm"),
    path("sessions/", views.SessionViewSet.as_view({"get": "list"}), name="session-list"),
    path("sessions/<int:pk>/", views.SessionViewSet.as_view({"delete": "destroy"}), name="session-detail"),
    path("activity/", ActivityView.as_view(), name="activity"),
    path("users/", include("bazary.accounts.staff.urls")),
    path("addresses/", addresses, name="address-list"),
    path("addresses/<int:pk>/", address, name="address-detail"),
]
urlpatterns += mfa_urls.urlpatterns  # two-factor sign-in and passkeys
