"""schemathesis's ``ignored_auth`` check with a per-run memory of the operations whose
authentication it has already seen enforced, as schemathesis's own runner gives it.

``ignored_auth`` answers a 2xx case by sending it again without credentials and with invalid
ones. It keeps the operations where both were refused in ``ctx.auth_enforced_operations`` and
probes each of them once per run ("enforcement is a property of the operation"), but only when
its caller passes that set: schemathesis's engine does, ``Case.validate_response`` (which the
suite calls) does not, so every 2xx case was probed again (about 370 of a ``fast`` run's 800
schemathesis requests). :func:`ignored_auth_once` hands the check the run's set and nothing
else; the probing and judging stay schemathesis's. Credentials the suite itself varies (absent,
malformed, expired, another Organization's) are ``test_auth_matrix``'s business, on every
operation.
"""

from __future__ import annotations

from typing import Any

from schemathesis.specs.openapi.checks import ignored_auth

__all__ = ["ignored_auth", "ignored_auth_once"]


def ignored_auth_once(enforced: set[str]) -> Any:
    """``ignored_auth`` remembering in ``enforced`` the operations it saw refuse both probes
    (one set per run; cases judged side by side share it)."""

    def check(ctx: Any, response: Any, case: Any) -> bool | None:
        ctx.auth_enforced_operations = enforced
        return ignored_auth(ctx, response, case)

    # the name schemathesis reports the check under, as for the built-in one
    check.__name__ = ignored_auth.__name__
    check.__doc__ = ignored_auth.__doc__
    return check
