"""The explicit signal that a served target is the kit's own mock: ``PREVAIL_MOCK_ADMIN_URL``, the
admin API of the mock at ``PREVAIL_BASE_URL``, checked before a run trusts it.

Only with it does a run send admin calls (a Session made per state, a throwaway Session for the
undeclared methods, reads of another Organization's Session) or undeclared methods to an
existing id. A URL that does not answer like the mock's admin API stops the run before any rule
(exit 2), so that a real server is never taken for a mock.
"""

from __future__ import annotations

import httpx

from prevail_contract.runtime.config import ENV_VARS, TargetConfig
from prevail_contract.runtime.session_ids import session_path


def admin_root(config: TargetConfig) -> str | None:
    """The admin API the run was given (``PREVAIL_MOCK_ADMIN_URL``), if any."""
    root = config.value("mock_admin_url")
    return root.rstrip("/") if isinstance(root, str) else None


def admin_headers(config: TargetConfig) -> dict[str, str]:
    """The admin token the mock wants, when it was started with one."""
    token = config.value("mock_admin_token")
    return {"Authorization": f"Bearer {token}"} if isinstance(token, str) else {}


def admin_problem(
    client: httpx.Client, root: str, headers: dict[str, str], session_id: str
) -> str | None:
    """Why ``root`` is not the admin API of the mock holding ``session_id`` (None if it is).

    One read: ``GET {root}/sessions/{session_id}`` must answer the stored Session.
    """
    try:
        response = client.get(f"{root}/sessions/{session_path(session_id)}", headers=headers)
    except httpx.HTTPError as exc:
        return f"cannot be reached ({type(exc).__name__})"
    if response.status_code == 401:
        return f"answered 401: set {ENV_VARS['mock_admin_token']} to the mock's --admin-token"
    try:
        body = response.json()
    except ValueError:
        body = None
    if (
        response.status_code != 200
        or not isinstance(body, dict)
        or body.get("remote_session_id") != session_id
        or "organization" not in body
    ):
        return (
            f"does not answer like the mock's admin API (GET .../sessions/{session_id} "
            f"answered {response.status_code})"
        )
    return None


def refusal(root: str, problem: str) -> str:
    """The one-line configuration error for a bad admin URL."""
    return f"{ENV_VARS['mock_admin_url']} {root} {problem}; unset it for a real server"
