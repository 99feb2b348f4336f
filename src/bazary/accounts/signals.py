"""Signals sent by bazary.accounts (all with ``sender`` = the user model and
``request`` when there is one)."""

from django.dispatch import Signal

#: A new account was created: ``user``, ``request``.
user_registered = Signal()
#: An address was verified: ``user``, ``email``, ``request``.
email_verified = Signal()
#: A user changed their password while logged in: ``user``, ``request``.
password_changed = Signal()
#: A password was set through the reset flow: ``user``, ``request``.
password_reset = Signal()
#: An account was deactivated and anonymised through ``DELETE auth/me/``:
#: ``user`` (already anonymised), ``email`` (the former address), ``request``.
user_deleted = Signal()
#: An email change was confirmed: ``user``, ``old_email``, ``new_email``, ``request``.
email_changed = Signal()
