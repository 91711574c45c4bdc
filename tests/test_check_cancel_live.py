"""A cancel against a live server: the request guard lets it reach only a disposable Session or
a made-up absent id, and the configuration refuses a disposable list holding the run's Session."""

from __future__ import annotations

import httpx
import pytest

from prevail_contract.errors import ConfigError
from prevail_contract.runtime.config import from_sources
from prevail_contract.runtime.guard import UnsafeRequestError, check_method
from prevail_contract.runtime.session_ids import unknown_session_id
from prevail_contract.spec import Spec
from prevail_contract.spec.operation_registry import operation_registry

BASE = "https://staging.invalid/api/v1"
LIVE = {"PREVAIL_BASE_URL": BASE, "PREVAIL_SESSION_ID": "s-1", "PREVAIL_TOKEN": "t"}


def _patch(path: str, method: str = "PATCH") -> httpx.Request:
    return httpx.Request(method, BASE + path)


def test_the_guard_sends_a_cancel_only_to_a_disposable_or_absent_session(spec: Spec) -> None:
    registry, disposable = operation_registry(spec), frozenset({"d-1"})
    assert registry.match("PATCH", "/api/v1/sessions/d-1/cancel") is registry["cancel_session"]
    check_method(_patch("/sessions/d-1/cancel"), registry, disposable)
    check_method(_patch(f"/sessions/{unknown_session_id(3)}/cancel"), registry, disposable)
    for other in ("s-1", "d-2", "discovered"):
        with pytest.raises(UnsafeRequestError, match="disposable-sessions"):
            check_method(_patch(f"/sessions/{other}/cancel"), registry, disposable)
    with pytest.raises(UnsafeRequestError, match="disposable-sessions"):
        check_method(_patch("/sessions/d-1/cancel"), registry)  # none listed: nothing goes
    # the edit of the run's Session is still allowed; an undeclared method only on an absent id
    check_method(_patch("/sessions/s-1"), registry, disposable)
    check_method(_patch(f"/sessions/{unknown_session_id(3)}/cancel", "PUT"), registry)
    with pytest.raises(UnsafeRequestError, match="undeclared methods"):
        check_method(_patch("/sessions/d-1/cancel", "DELETE"), registry, disposable)
    # a GET of the list (declared) stays allowed; a PATCH of it carries nothing to apply
    check_method(_patch("/sessions", "GET"), registry, disposable)


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "TRACE", "POST", "PUT", "DELETE"])
@pytest.mark.parametrize("path", ["/sessions/{}/cancel", "/sessions/{}", "/sessions/{}/cancel/"])
def test_an_undeclared_method_under_a_session_goes_only_to_an_absent_id(
    spec: Spec, method: str, path: str
) -> None:
    """Whatever the method: a server may obey a GET on a cancel path as it would the cancel."""
    registry, disposable = operation_registry(spec), frozenset({"d-1"})
    for real in ("d-1", "s-1"):
        with pytest.raises(UnsafeRequestError, match="path under a Session"):
            check_method(_patch(path.format(real), method), registry, disposable)
    check_method(_patch(path.format(unknown_session_id(3)), method), registry, disposable)


def test_a_disposable_list_may_not_hold_the_run_s_session() -> None:
    ok = from_sources({**LIVE, "PREVAIL_DISPOSABLE_SESSION_IDS": "d-1, d-2"})
    assert ok.value("disposable_session_ids") == "d-1, d-2"
    with pytest.raises(ConfigError, match="PREVAIL_DISPOSABLE_SESSION_IDS names s-1"):
        from_sources({**LIVE, "PREVAIL_DISPOSABLE_SESSION_IDS": "d-1,s-1"})
    with pytest.raises(ConfigError, match="PREVAIL_DISPOSABLE_SESSION_IDS must be Session ids"):
        from_sources({**LIVE, "PREVAIL_DISPOSABLE_SESSION_IDS": "d-1,not an id"})
