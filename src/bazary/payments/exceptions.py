"""The errors of the payments API, in DRF's shapes."""

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException


class PaymentConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The order cannot be paid or refunded now.")
    default_code = "conflict"


class ProviderUnavailable(APIException):
    """The provider's API refused or could not be reached; nothing was changed on our side."""

    status_code = status.HTTP_502_BAD_GATEWAY
    default_detail = _("The payment provider could not be reached. Try again later.")
    default_code = "provider_unavailable"


class InvalidWebhook(Exception):
    """A webhook whose signature does not verify (or whose body cannot be read)."""
