"""Personal-data export: each installed app contributes its section.

``GET auth/me/export/`` (bazary.accounts) answers one JSON document with
everything bazary stores about the caller. Accounts knows no other app, so each
app registers a *contributor* for its own data in its ``AppConfig.ready()``::

    from bazary.core.exports import registry

    registry.register("stock_alerts", stock_alerts_of)

A contributor is a callable ``(user) -> JSON-serialisable value`` (dicts,
lists, strings, numbers, booleans, None; dates and times as ISO strings, money
as decimal strings). It must run a fixed number of queries whatever the amount
of data (select/prefetch what it reads), as the export's query count is
bounded in bazary's tests. Projects add their own sections the same way, or
replace one of bazary's with ``replace=True``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

Contributor = Callable[[Any], Any]


class AlreadyRegistered(ValueError):
    """Another contributor already has this section name."""


class ExportRegistry:
    """Sections of the export, by name, in the order they were registered."""

    def __init__(self) -> None:
        self._contributors: dict[str, Contributor] = {}

    def register(self, section: str, contributor: Contributor, *, replace: bool = False) -> Contributor:
        if not isinstance(section, str) or not section:
            raise ValueError(f"An export section needs a non-empty name, not {section!r}.")
        if not callable(contributor):
            raise TypeError(f"The contributor of {section!r} must be callable.")
        existing = self._contributors.get(section)
        # The same function again is harmless: ready() may run more than once in tests.
        if existing is not None and existing is not contributor and not replace:
            raise AlreadyRegistered(f"Export section {section!r} is already contributed by {existing!r}.")
        self._contributors[section] = contributor
        return contributor

    def unregister(self, section: str) -> None:
        self._contributors.pop(section, None)

    def __contains__(self, section: object) -> bool:
        return section in self._contributors

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._contributors))

    def collect(self, user: Any) -> dict[str, Any]:
        """``{section: contributor(user)}`` for every registered section."""
        return {section: contributor(user) for section, contributor in list(self._contributors.items())}


#: The export sections of this process. Fill it from ``AppConfig.ready()``.
registry = ExportRegistry()
