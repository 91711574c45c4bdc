"""The skip a test takes when the target only ever said "not now" (429, or 503 with
``Retry-After``) to one of its requests.

The waiting and resending happen in the run's one sender (``prevail_contract.runtime.sender``),
so every request of the run, schemathesis's own included, honours ``Retry-After``; this module
only turns "still throttled after the retries" into "no verdict", so that a rule whose only
evidence was throttled ends ``not_run``, never ``failed``.
"""

from __future__ import annotations

import pytest


class ThrottledError(pytest.skip.Exception):  # type: ignore[misc,name-defined]
    """A request was answered transiently on every try: the test earns no verdict from it."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"not checked: throttled: {reason}")
