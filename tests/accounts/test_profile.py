"""Profile extras on auth/me/: phone, date of birth, language, time zone, avatar and marketing consent."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from bazary.notifications.api import notify
from bazary.notifications.kinds import Kind, registry
from bazary.notifications.models import Delivery, Notification
from bazary.testing.accounts import UserFactory
from bazary.testing.catalog import image_upload, png_bomb

from .conftest import NEW_PASSWORD, PASSWORD, bearer, emails_to, login

pytestmark = pytest.mark.django_db
User = get_user_model()
ME = "/api/auth/me/"
AVATAR = "/api/auth/me/avatar/"
MARKETING = "/api/auth/me/marketing/"


# -- phone, date of birth, language, time zone --------------------------------


def test_profile_shows_the_new_fields(auth_client):
    body = auth_client.get(ME).json()
    assert body["phone"] == ""
    assert body["date_of_birth"] is None
    assert body["language"] == ""
    assert body["timezone"] == ""
    assert body["avatar"] is None
    assert body["marketing_opt_in"] is False
    assert body["marketing_consent_at"] is None


def test_patch_stores_the_phone_in_e164_form(auth_client, user):
    response = auth_client.patch(
        ME,
        {"phone": "+33 6 12-34.56 78", "date_of_birth": "1990-05-17", "language": "fr", "timezone": "Europe/Paris"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["phone"] == "+33612345678"
    user.refresh_from_db()
    assert (user.phone, user.date_of_birth, user.language, user.timezone) == (
        "+33612345678",
        datetime.date(1990, 5, 17),
        "fr",
        "Europe/Paris",
    )
    user.full_clean()  # what the API stores passes the model's own validators


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "0612345678"),  # national: no country code
        ("phone", "+1 555"),  # too short
        ("phone", "+99912345678"),  # no such country code
        ("phone", "call me"),
        ("phone", "+" + "1" * 60),
        ("date_of_birth", "2999-01-01"),
        ("date_of_birth", "yesterday"),
        ("language", "xx"),
        ("language", "fr-" + "x" * 40),
        ("timezone", "Mars/Olympus_Mons"),
        ("timezone", "../../etc/passwd"),
    ],
)
def test_invalid_profile_values_are_400_with_the_field(auth_client, user, field, value):
    response = auth_client.patch(ME, {field: value}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    user.refresh_from_db()
    assert getattr(user, field) in ("", None)


def test_date_of_birth_today_is_accepted_and_tomorrow_refused(auth_client):
    today = timezone.localdate()
    assert auth_client.patch(ME, {"date_of_birth": today.isoformat()}, format="json").status_code == 200
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert auth_client.patch(ME, {"date_of_birth": tomorrow}, format="json").status_code == 400


@override_settings(LANGUAGES=[("en", "English"), ("de", "German")])
def test_language_must_be_one_of_the_sites_languages(auth_client):
    assert auth_client.patch(ME, {"language": "de"}, format="json").status_code == 200
    refused = auth_client.patch(ME, {"language": "fr"}, format="json")
    assert refused.status_code == 400
    assert "en, de" in refused.json()["language"][0]


def test_the_fields_can_be_cleared(auth_client, user):
    auth_client.patch(ME, {"phone": "+33612345678", "date_of_birth": "1990-01-01"}, format="json")
    response = auth_client.patch(
        ME, {"phone": "", "date_of_birth": None, "language": "", "timezone": ""}, format="json"
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.phone, user.date_of_birth) == ("", None)


def test_consent_and_avatar_are_not_writable_through_patch(auth_client, user):
    response = auth_client.patch(ME, {"marketing_opt_in": True, "avatar": "x.png"}, format="json")
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.marketing_opt_in is False
    assert not user.avatar


# -- emails in the user's language and time zone -----------------------------------


def test_mail_is_written_in_the_users_language_and_time_zone(auth_client, user):
    user.language, user.timezone = "de", "Asia/Tokyo"
    user.save()
    sent = datetime.datetime(2026, 12, 1, 16, 30, tzinfo=datetime.UTC)  # 2 December, 01:30 in Tokyo
    with _frozen_now(sent):
        response = auth_client.post(
            "/api/auth/password/change/",
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            format="json",
        )
    assert response.status_code == 204
    (message,) = emails_to(user.email)
    # Django's German date format and month name, at Tokyo's time (UTC+9).
    assert "2. Dezember 2026 01:30" in message.body
    html = message.alternatives[0][0]
    assert "2. Dezember 2026 01:30" in html


def test_mail_without_a_language_or_zone_uses_the_sites(auth_client, user):
    sent = datetime.datetime(2026, 12, 1, 16, 30, tzinfo=datetime.UTC)
    with _frozen_now(sent):
        auth_client.post(
            "/api/auth/password/change/",
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            format="json",
        )
    (message,) = emails_to(user.email)
    assert "Dec. 1, 2026, 4:30 p.m." in message.body  # English, TIME_ZONE (UTC)


def test_a_language_the_site_dropped_falls_back_to_the_sites(auth_client, user):
    User.objects.filter(pk=user.pk).update(language="de", timezone="Not/A_Zone")
    with override_settings(LANGUAGES=[("en", "English")]):
        auth_client.post(
            "/api/auth/password/change/",
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            format="json",
        )
    (message,) = emails_to(user.email)
    assert "Dezember" not in message.body
    assert "When:" in message.body


class _frozen_now:
    """timezone.now() returns ``when`` inside the block (the time accounts' emails report)."""

    def __init__(self, when):
        self.when = when

    def __enter__(self):
        from unittest import mock

        self.patcher = mock.patch("bazary.accounts.emails.timezone.now", return_value=self.when)
        self.patcher.start()

    def __exit__(self, *exc):
        self.patcher.stop()


# -- avatar ----------------------------------------------------------------------------


def _avatar_names():
    try:
        return set(default_storage.listdir("bazary/accounts/avatars")[1])
    except FileNotFoundError:
        return set()


def test_upload_an_avatar(auth_client, user):
    response = auth_client.put(AVATAR, {"avatar": image_upload("Ada Lovelace.pdf", "PNG")}, format="multipart")
    assert response.status_code == 200, response.json()
    url = response.json()["avatar"]
    assert url.startswith("http")
    user.refresh_from_db()
    name = user.avatar.name
    # A fresh random name under the avatars folder, with the extension of its real format.
    assert name.startswith("bazary/accounts/avatars/")
    assert name.endswith(".png")
    assert re.fullmatch(r"[0-9a-f]{32}", name.rsplit("/", 1)[1].removesuffix(".png"))
    assert default_storage.exists(name)
    assert auth_client.get(ME).json()["avatar"] == url


def test_two_uploads_of_the_same_file_get_different_names(auth_client, user):
    first = auth_client.put(AVATAR, {"avatar": image_upload("me.png")}, format="multipart").json()["avatar"]
    second = auth_client.put(AVATAR, {"avatar": image_upload("me.png")}, format="multipart").json()["avatar"]
    assert first != second


@pytest.mark.parametrize(
    ("upload", "code_words"),
    [
        (SimpleUploadedFile("me.png", b"%PDF-1.4 not an image", content_type="image/png"), "valid image"),
        (SimpleUploadedFile("me.bmp", b"BM" + b"\0" * 200, content_type="image/bmp"), "image"),
        (SimpleUploadedFile("bomb.png", png_bomb(), content_type="image/png"), "pixels"),
    ],
)
def test_a_bad_avatar_is_400_and_nothing_is_stored(auth_client, user, upload, code_words):
    before = _avatar_names()
    response = auth_client.put(AVATAR, {"avatar": upload}, format="multipart")
    assert response.status_code == 400
    assert code_words in response.json()["avatar"][0]
    user.refresh_from_db()
    assert not user.avatar
    assert _avatar_names() == before


@override_settings(BAZARY_ACCOUNTS={"AVATAR_MAX_BYTES": 100})
def test_a_too_large_avatar_is_400(auth_client, user):
    response = auth_client.put(AVATAR, {"avatar": image_upload(size=(64, 64))}, format="multipart")
    assert response.status_code == 400
    assert "larger than" in response.json()["avatar"][0]


@override_settings(BAZARY_ACCOUNTS={"AVATAR_MAX_PIXELS": 100})
def test_an_avatar_of_too_many_pixels_is_400(auth_client, user):
    response = auth_client.put(AVATAR, {"avatar": image_upload(size=(11, 10))}, format="multipart")
    assert response.status_code == 400
    assert "11x10" in response.json()["avatar"][0]
    assert auth_client.put(AVATAR, {"avatar": image_upload(size=(10, 10))}, format="multipart").status_code == 200


def test_avatar_without_a_file_is_400(auth_client):
    response = auth_client.put(AVATAR, {}, format="multipart")
    assert response.status_code == 400
    assert "avatar" in response.json()


def test_the_old_avatar_file_is_deleted_only_after_commit(auth_client, user, django_capture_on_commit_callbacks):
    auth_client.put(AVATAR, {"avatar": image_upload()}, format="multipart")
    user.refresh_from_db()
    old = user.avatar.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = auth_client.put(AVATAR, {"avatar": image_upload(fmt="JPEG", name="new.jpg")}, format="multipart")
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.avatar.name != old
    assert default_storage.exists(old)  # not yet: the transaction has not committed
    for callback in callbacks:
        callback()
    assert not default_storage.exists(old)
    assert default_storage.exists(user.avatar.name)


def test_a_rolled_back_replacement_keeps_the_old_file(user, django_capture_on_commit_callbacks):
    from django.db import transaction

    from bazary.accounts.avatars import set_avatar, validate_avatar

    set_avatar(user, validate_avatar(image_upload()))
    old = user.avatar.name

    def replace_then_fail():
        with transaction.atomic():
            set_avatar(user, validate_avatar(image_upload()))
            raise RuntimeError("rolled back")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        replace_then_fail()
    assert callbacks == []  # the deletion was discarded with the transaction
    assert default_storage.exists(old)


def test_delete_the_avatar(auth_client, user, django_capture_on_commit_callbacks):
    auth_client.put(AVATAR, {"avatar": image_upload()}, format="multipart")
    user.refresh_from_db()
    old = user.avatar.name
    with django_capture_on_commit_callbacks(execute=True):
        assert auth_client.delete(AVATAR).status_code == 204
    user.refresh_from_db()
    assert not user.avatar
    assert not default_storage.exists(old)
    assert auth_client.get(ME).json()["avatar"] is None
    assert auth_client.delete(AVATAR).status_code == 204  # nothing to remove: still 204


def test_avatar_endpoints_need_a_login(api_client):
    assert api_client.put(AVATAR, {"avatar": image_upload()}, format="multipart").status_code == 401
    assert api_client.delete(AVATAR).status_code == 401


# -- marketing consent -----------------------------------------------------------------


def test_give_and_withdraw_marketing_consent(auth_client, user):
    given = auth_client.post(MARKETING, {"source": "signup_form"}, format="json")
    assert given.status_code == 200, given.json()
    body = given.json()
    assert body["marketing_opt_in"] is True
    assert body["marketing_consent_source"] == "signup_form"
    user.refresh_from_db()
    assert user.marketing_opt_in is True
    assert abs(user.marketing_consent_at - timezone.now()) < datetime.timedelta(seconds=30)

    assert auth_client.delete(MARKETING).status_code == 204  # one call
    user.refresh_from_db()
    assert user.marketing_opt_in is False
    assert user.marketing_consent_source == "api"
    assert user.marketing_consent_at is not None


def test_consent_source_defaults_to_api_and_is_checked(auth_client, user):
    assert auth_client.post(MARKETING, {}, format="json").json()["marketing_consent_source"] == "api"
    refused = auth_client.post(MARKETING, {"source": "<script>"}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["source"]
    assert auth_client.post(MARKETING, {"source": "x" * 65}, format="json").status_code == 400
    assert auth_client.delete(f"{MARKETING}?source=app:settings").status_code == 204
    user.refresh_from_db()
    assert user.marketing_consent_source == "app:settings"


@pytest.fixture
def newsletter():
    kind = registry.register(
        Kind("shop.newsletter", "bazary/accounts/email/password_changed", marketing=True, verbose_name="News")
    )
    yield kind
    registry.unregister(kind.code)


def test_marketing_kinds_reach_only_users_who_consented(newsletter):
    agreed = UserFactory(marketing_opt_in=True)
    declined = UserFactory()
    result = notify([agreed, declined], newsletter.code, {"email": "x", "name": ""})
    assert {d.recipient_id for d in result.deliveries} == {agreed.pk}
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {agreed.pk}


def test_withdrawing_consent_stops_marketing_mail(auth_client, user, newsletter):
    auth_client.post(MARKETING, {}, format="json")
    user.refresh_from_db()
    assert notify(user, newsletter.code, {}).deliveries
    auth_client.delete(MARKETING)
    user.refresh_from_db()
    Delivery.objects.all().delete()
    assert notify(user, newsletter.code, {}).deliveries == []
    assert not Delivery.objects.exists()


def test_a_marketing_kind_cannot_be_mandatory():
    with pytest.raises(ValueError, match="marketing"):
        Kind("shop.promo", "x", marketing=True, mandatory=True)


# -- deletion ---------------------------------------------------------------------------


def test_deleting_the_account_removes_the_profile_extras(auth_client, user, django_capture_on_commit_callbacks):
    auth_client.patch(
        ME,
        {"phone": "+33612345678", "date_of_birth": "1990-01-01", "language": "fr", "timezone": "Europe/Paris"},
        format="json",
    )
    auth_client.post(MARKETING, {"source": "checkout"}, format="json")
    auth_client.put(AVATAR, {"avatar": image_upload()}, format="multipart")
    user.refresh_from_db()
    avatar = user.avatar.name
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.delete(ME, {"password": PASSWORD}, format="json")
    assert response.status_code == 204
    user.refresh_from_db()
    assert (user.phone, user.date_of_birth, user.language, user.timezone) == ("", None, "", "")
    assert (user.marketing_opt_in, user.marketing_consent_at, user.marketing_consent_source) == (False, None, "")
    assert not user.avatar
    assert not default_storage.exists(avatar)


def test_the_farewell_of_a_deleted_account_is_written_in_the_language_and_zone_it_had(auth_client, user):
    # Deleting blanks the language and time zone before the farewell goes out.
    user.language, user.timezone = "de", "Asia/Tokyo"
    user.save()
    sent = datetime.datetime(2026, 12, 1, 16, 30, tzinfo=datetime.UTC)  # 2 December, 01:30 in Tokyo
    with _frozen_now(sent):
        response = auth_client.delete(ME, {"password": PASSWORD}, format="json")
    assert response.status_code == 204
    (message,) = emails_to(user.email)
    assert "2. Dezember 2026 01:30" in message.body
    assert "2. Dezember 2026 01:30" in message.alternatives[0][0]
    user.refresh_from_db()
    assert (user.language, user.timezone) == ("", "")


def test_login_still_works_with_the_new_fields(api_client, user):
    assert login(api_client, user.email)["access"]
    assert bearer(login(api_client, user.email)["access"]).get(ME).status_code == 200
    assert mail.outbox == []
