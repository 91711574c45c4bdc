"""schemathesis's ``ignored_auth`` check, probing each operation once per run.

``ignored_auth`` answers a 2xx case by sending it again without credentials and with invalid
ones. Given a per-run set (``ctx.auth_enforced_operations``), it skips an operation already in
it and adds each operation whose probes were refused ("enforcement is a property of the
operation"). schemathesis's engine gives it one; ``Case.validate_response``, which the suite
calls, does not, so every 2xx case was probed again: about 370 of the 800 schemathesis requests
of a ``fast`` run on the mock.

:class:`ProbedOnce` is the set the suite hands it: the first question about an operation claims
it, so exactly one case of each operation is probed, whichever case comes first when cases are
judged side by side (a plain set filled after the probes lets cases answered together all
probe, and the request count would hang on timing). A server that ignores the credentials
fails ``auth-required`` at that probe; the credentials the suite varies itself (absent,
malformed, expired, another Organization's) are ``test_auth_matrix``'s, on every operation.
The probing and judging stay schemathesis's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from schemathesis.specs.openapi.checks import ignored_auth

__all__ = ["ProbedOnce", "ignored_auth", "ignored_auth_once"]


class ProbedOnce(set[str]):
    """Operations ``ignored_auth`` has probed in this run: asking about one claims it."""

    def __init__(self, labels: Iterable[str] = ()) -> None:
        super().__init__(labels)
        self._lock = threading.Lock()

    def __contains__(self, label: object) -> bool:
        with self._lock:
            if super().__contains__(label):
                return True
            if isinstance(label, str):
                super().add(label)
            return False


def ignored_auth_once(probed: ProbedOnce) -> Any:
    """``ignored_auth`` with ``probed`` as its per-run memory (one per run; cases judged side by
    side share it)."""

    def check(ctx: Any, response: Any, case: Any) -> bool | None:
        ctx.auth_enforced_operations = probed
        return ignored_auth(ctx, response, case)

    # the name schemathesis reports the check under, as for the built-in one
    check.__name__ = ignored_auth.__name__
    check.__doc__ = ignored_auth.__doc__
    return check
