"""BAZARY_NOTIFICATIONS: checks with stable ids, values read late."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks

from bazary.notifications.conf import notifications_settings
from bazary.notifications.kinds import Kind, registry

from .conftest import task_backend_path


def check_ids() -> set[str]:
    return {message.id for message in run_checks(tags=["bazary"]) if message.id.startswith("bazary_notifications")}


def test_defaults_are_clean(settings):
    settings.BAZARY_NOTIFICATIONS = {}
    assert check_ids() == set()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([], {"bazary_notifications.E001"}),
        ({"MAX_ATTEMPT": 3}, {"bazary_notifications.E002"}),
        ({"MAX_ATTEMPTS": "3"}, {"bazary_notifications.E003"}),
        ({"MAX_ATTEMPTS": True}, {"bazary_notifications.E003"}),
        ({"CHANNELS": ["bazary.notifications.channels.Nope"]}, {"bazary_notifications.E004"}),
        ({"KINDS": [{"code": "a.b"}]}, {"bazary_notifications.E010"}),
        ({"KINDS": [{"code": "a.b", "template": "t", "colour": "red"}]}, {"bazary_notifications.E010"}),
        ({"KINDS": ["bazary.notifications.conf.DEFAULT_CHANNELS"]}, {"bazary_notifications.E010"}),
        ({"KINDS": [42]}, {"bazary_notifications.E010"}),
        ({"CHANNELS": ["bazary.notifications.models.Notification"]}, {"bazary_notifications.E006"}),
        ({"NOTIFICATION_SERIALIZER": "bazary.notifications.models.Notification"}, {"bazary_notifications.E006"}),
        (
            {
                "CHANNELS": [
                    "bazary.notifications.channels.InAppChannel",
                    "bazary.notifications.channels.EmailChannel",
                    "bazary.notifications.channels.EmailChannel",
                ]
            },
            {"bazary_notifications.E012"},
        ),
        ({"MAX_ATTEMPTS": 0}, {"bazary_notifications.E013"}),
        ({"RETRY_BACKOFF_SECONDS": -1}, {"bazary_notifications.E014"}),
        ({"TASK_BACKEND": "mail"}, {"bazary_notifications.E015"}),
        ({"STUCK_AFTER_SECONDS": 0}, {"bazary_notifications.E016"}),
        ({"PAGE_SIZE": 500}, {"bazary_notifications.E017"}),
    ],
)
def test_bad_settings_are_check_errors(settings, value, expected):
    settings.TASKS = {"default": {"BACKEND": task_backend_path("ImmediateBackend")}}
    settings.BAZARY_NOTIFICATIONS = value
    assert check_ids() == expected


@pytest.mark.parametrize(
    ("tasks", "value", "expected"),
    [
        ({"QUEUES": ["a"]}, {"TASK_QUEUE": "b"}, {"bazary_notifications.E015"}),
        ({"QUEUES": ["a", "b"]}, {"TASK_QUEUE": "b"}, set()),
        ({}, {"TASK_QUEUE": "b"}, {"bazary_notifications.E015"}),  # a backend takes "default" only
        ({"QUEUES": []}, {"TASK_QUEUE": "b"}, set()),  # any queue
        (None, {"TASK_QUEUE": "b"}, {"bazary_notifications.E015"}),  # no TASKS setting
        (None, {"TASK_BACKEND": "mail"}, {"bazary_notifications.E015"}),
        (None, {}, set()),
    ],
)
def test_task_backend_and_queue_must_exist(settings, tasks, value, expected):
    if tasks is None:
        del settings.TASKS
    else:
        settings.TASKS = {"default": {"BACKEND": task_backend_path("ImmediateBackend"), **tasks}}
    settings.BAZARY_NOTIFICATIONS = value
    assert check_ids() == expected


def test_a_kind_on_an_unconfigured_channel_is_a_warning(settings):
    settings.BAZARY_NOTIFICATIONS = {"CHANNELS": ["bazary.notifications.channels.InAppChannel"]}
    registry.register(Kind("tests.mailonly", "t", default_channels=("email",)))
    try:
        assert "bazary_notifications.W001" in check_ids()
    finally:
        registry.unregister("tests.mailonly")


def test_a_channel_without_a_code_is_e011(settings):
    settings.BAZARY_NOTIFICATIONS = {"CHANNELS": ["bazary.notifications.channels.Channel"]}
    assert "bazary_notifications.E011" in check_ids()


def test_a_mandatory_kind_on_an_unconfigured_channel_is_an_error(settings):
    settings.BAZARY_NOTIFICATIONS = {"CHANNELS": ["bazary.notifications.channels.InAppChannel"]}
    registry.register(Kind("tests.mandatory_mail", "t", default_channels=("email",), mandatory=True))
    try:
        messages = [m for m in run_checks(tags=["bazary"]) if "tests.mandatory_mail" in m.msg]
        assert [m.id for m in messages] == ["bazary_notifications.E018"]
        assert messages[0].is_serious()  # an error: manage.py check fails
    finally:
        registry.unregister("tests.mandatory_mail")


def test_values_are_read_late(settings):
    assert notifications_settings.MAX_ATTEMPTS == 5
    settings.BAZARY_NOTIFICATIONS = {"MAX_ATTEMPTS": 2}
    assert notifications_settings.MAX_ATTEMPTS == 2
    settings.BAZARY_NOTIFICATIONS = {}
    assert notifications_settings.MAX_ATTEMPTS == 5
    assert notifications_settings.FROM_EMAIL is None
    assert [cls.code for cls in notifications_settings.CHANNELS] == ["in_app", "email"]
