"""The views of ``auth/me/…`` beyond the profile itself: the avatar, the marketing
consent and the personal-data export."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from bazary.core.exports import registry as export_registry
from bazary.core.parsers import FormParser, MultiPartParser

from .avatars import remove_avatar, set_avatar
from .conf import accounts_settings, get_adapter
from .consent import set_marketing_consent
from .profile import AvatarUploadSerializer, MarketingConsentSerializer
from .views import FIELD_ERRORS, TAGS, THROTTLED, UNAUTHENTICATED, VIEW_SERIALIZER, UserView, error

NOT_AVAILABLE = error("The user model has no such field.")


class ProfileFieldView(UserView):
    """A view about one field of bazary's ``AbstractUser``: 404 when the user model lacks it."""

    field = ""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not get_adapter().has_field(self.field):
            raise Http404

    def profile(self) -> Response:
        serializer = accounts_settings.USER_SERIALIZER(self.request.user, context=self.get_serializer_context())
        return Response(serializer.data)


class AvatarView(ProfileFieldView):
    """Your avatar: upload one (multipart ``avatar``), replacing the previous one, or remove it."""

    field = "avatar"
    serializer_class = AvatarUploadSerializer
    parser_classes = [MultiPartParser, FormParser]
    http_method_names = ["put", "delete", "options"]

    @extend_schema(
        tags=TAGS,
        summary="Upload your avatar",
        description="Multipart `avatar`: JPEG, PNG, WebP or GIF, checked by content, at most AVATAR_MAX_BYTES "
        "and AVATAR_MAX_PIXELS. Stored under a fresh random name; the previous file is deleted once the "
        "change is committed. Answers the profile.",
        request={"multipart/form-data": AvatarUploadSerializer},
        responses={200: VIEW_SERIALIZER, 400: FIELD_ERRORS, 401: UNAUTHENTICATED, 404: NOT_AVAILABLE, 429: THROTTLED},
    )
    def put(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        set_avatar(request.user, serializer.validated_data["avatar"])
        return self.profile()

    @extend_schema(
        tags=TAGS,
        summary="Remove your avatar",
        request=None,
        responses={204: None, 401: UNAUTHENTICATED, 404: NOT_AVAILABLE, 429: THROTTLED},
    )
    def delete(self, request: Request) -> Response:
        remove_avatar(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MarketingConsentView(ProfileFieldView):
    """Your consent to newsletter-style emails: give it (with where it was given) or withdraw it."""

    field = "marketing_opt_in"
    serializer_class = MarketingConsentSerializer
    http_method_names = ["post", "delete", "options"]

    @extend_schema(
        tags=TAGS,
        summary="Agree to marketing emails",
        description="Records the consent with the time and the `source` given (default `api`). Answers the profile.",
        responses={200: VIEW_SERIALIZER, 400: FIELD_ERRORS, 401: UNAUTHENTICATED, 404: NOT_AVAILABLE, 429: THROTTLED},
    )
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        set_marketing_consent(request.user, True, source=serializer.validated_data["source"])
        return self.profile()

    @extend_schema(
        tags=TAGS,
        summary="Withdraw your consent to marketing emails",
        description="One call: no newsletter-style notification reaches you from now on. Records the time; "
        "`?source=` (optional) says where it was withdrawn.",
        request=None,
        responses={204: None, 400: FIELD_ERRORS, 401: UNAUTHENTICATED, 404: NOT_AVAILABLE, 429: THROTTLED},
    )
    def delete(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        set_marketing_consent(request.user, False, source=serializer.validated_data["source"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExportView(UserView):
    """Everything bazary stores about you, as one JSON document."""

    throttle_scopes = ("export",)
    pagination_class = None

    @extend_schema(
        tags=TAGS,
        summary="Download your personal data",
        description="One JSON document with a section per installed app: `profile`, `addresses`, `sessions`, "
        "`activity` (accounts), `notifications`, `notification_deliveries`, `notification_preferences` "
        "(notifications), `stock_alerts` (catalog), `orders` (orders), and any section the project registers. "
        "Throttled (`THROTTLE_RATES['export']`).",
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="`{exported_at, sections...}`"),
            401: UNAUTHENTICATED,
            429: THROTTLED,
        },
    )
    def get(self, request: Request) -> Response:
        document = {"exported_at": timezone.now().isoformat(), **export_registry.collect(request.user)}
        response = Response(document)
        response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
        response["Cache-Control"] = "no-store"
        return response
