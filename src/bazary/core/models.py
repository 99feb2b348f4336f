"""Abstract base models (and choices) shared by the bazary apps."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class DeliveryStatus(models.TextChoices):
    """The life of a delivery row (notifications' emails, webhooks' requests;
    see :mod:`bazary.core.deliveries`)."""

    QUEUED = "queued", _("queued")
    #: Claimed by a worker; the claim is the guard against sending twice.
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
