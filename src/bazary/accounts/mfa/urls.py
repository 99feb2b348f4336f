"""The MFA routes, added to ``bazary.accounts.urls`` (namespace ``bazary_accounts``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("token/mfa/", views.MFALoginView.as_view(), name="token-mfa"),
    path("token/mfa/passkey/options/", views.MFAPasskeyOptionsView.as_view(), name="token-mfa-passkey-options"),
    path("passkey/login/options/", views.PasskeyLoginOptionsView.as_view(), name="passkey-login-options"),
    path("passkey/login/", views.PasskeyLoginView.as_view(), name="passkey-login"),
    path("mfa/", views.MFAStatusView.as_view(), name="mfa"),
    path("mfa/totp/setup/", views.TOTPSetupView.as_view(), name="mfa-totp-setup"),
    path("mfa/totp/confirm/", views.TOTPConfirmView.as_view(), name="mfa-totp-confirm"),
    path("mfa/totp/disable/", views.TOTPDisableView.as_view(), name="mfa-totp-disable"),
    path("mfa/totp/recovery-codes/", views.RecoveryCodesView.as_view(), name="mfa-recovery-codes"),
    path("mfa/passkeys/", views.PasskeyListView.as_view(), name="mfa-passkeys"),
    path("mfa/passkeys/register/options/", views.PasskeyRegisterOptionsView.as_view(), name="mfa-passkey-options"),
    path("mfa/passkeys/<int:pk>/", views.PasskeyDetailView.as_view(), name="mfa-passkey-detail"),
]
