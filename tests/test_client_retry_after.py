"""The generated client's reading of ``Retry-After`` and the bounds of its ``RetryPolicy``."""

from __future__ import annotations

import datetime
import math

import httpx
import pytest
from prevail_sessions_client import RetryPolicy
from prevail_sessions_client.client import retry_after

NOW = datetime.datetime(2026, 3, 1, 12, 0, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("Sun, 01 Mar 2026 12:00:30 GMT", 30.0),
        ("Sunday, 01-Mar-26 12:01:00 GMT", 60.0),  # the obsolete RFC 850 form
        ("Sun, 01 Mar 2026 11:00:00 GMT", 0.0),  # in the past: no wait
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
        ("\u0661\u0662", None),  # Arabic-Indic digits are not delay-seconds
        ("12\n", 12.0),
    ],
)
def test_retry_after_values(value: str | None, seconds: float | None) -> None:
    assert retry_after(value, NOW) == seconds


def test_a_huge_delay_is_read_without_cost_and_never_waited_for() -> None:
    huge = "9" * 5000
    assert retry_after(huge) == math.inf
    answer = httpx.Response(429, headers={"Retry-After": huge})
    assert RetryPolicy().wait(answer, 1) is None


def test_the_policy_waits_only_for_its_statuses_and_within_its_bounds() -> None:
    policy = RetryPolicy(attempts=3, max_wait=10, backoff=1)
    assert policy.wait(httpx.Response(503, headers={"Retry-After": "4"}), 1) == 4.0
    assert policy.wait(httpx.Response(503, headers={"Retry-After": "4"}), 3) is None
    assert policy.wait(httpx.Response(429, headers={"Retry-After": "11"}), 1) is None
    assert policy.wait(httpx.Response(429), 2) == 2.0
    assert policy.wait(httpx.Response(500, headers={"Retry-After": "1"}), 1) is None
    assert policy.wait(httpx.Response(200), 1) is None
    assert RetryPolicy(statuses=frozenset({502})).wait(httpx.Response(502), 1) == 0.5


@pytest.mark.parametrize(
    "arguments", [{"attempts": 0}, {"max_wait": -1.0}, {"backoff": -0.5}], ids=str
)
def test_a_policy_out_of_bounds_is_refused(arguments: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be >= "):
        RetryPolicy(**arguments)  # type: ignore[arg-type]
