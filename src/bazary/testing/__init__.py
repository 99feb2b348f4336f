"""Test helpers for projects built on bazary: factory_boy factories per app
(``bazary.testing.notifications``, ...), usable in your own tests."""
