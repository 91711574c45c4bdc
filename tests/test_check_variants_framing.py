"""Faithful servers that differ from the mock in transport and presentation pass ``--strict``:
connection handling, transfer encoding, caching and tracing headers, JSON escaping, extensible
enum values and extras in the list, slow pages, Organizations with thousands of Sessions; and
a list longer than a read may page through leaves the verdicts that needed it ``not_run``.

Every variant is served on loopback and checked once (two runs at a time, one shared run per
variant); each test reads its variant's run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.middleware.gzip import GZipMiddleware

from contract_tests.support.facts import list_parameter
from contract_tests.support.list_reads import PAGE_BUDGET
from prevail_contract.spec import load_spec
from tests.plugins.check import CheckRun, run_check, serve_mock
from tests.plugins.http10 import http10_front
from tests.plugins.list_variants import (
    SlowList,
    pagy_extras,
    with_many_sessions,
    with_new_enum_values,
)
from tests.plugins.variants import CachingAndTracing, EscapedJson, Framed, RewrittenJson

pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]

#: Sessions in the Organization that one read may not page through whole (from the budget).
PAST_THE_BUDGET = PAGE_BUDGET * int(list_parameter(load_spec(), "items")["maximum"]) + 100
#: Rules whose verdict needs the Organization's whole list.
WHOLE_LIST_RULES = ("list-org-scoped", "list-pagination-consistent", "list-filters-by-start-time")
LIST_RULES = (*WHOLE_LIST_RULES, "list-envelope", "list-query-validated", "list-reflects-edits")


@dataclass
class Served:
    """One variant: how to build it around the mock, and the wrapper that proves it was met."""

    build: Callable[[Any], Any]
    seen: list[Any]

    def wrap(self, app: Any) -> Any:
        built = self.build(app)
        self.seen.append(built)
        return built

    def met(self) -> int:
        """How many answers the variant changed (or delayed) during the run."""
        outer = self.seen[0]
        return int(getattr(outer, "answers", 0) or getattr(outer, "slowed", 0))


VARIANTS: dict[str, Callable[[Any], Any]] = {
    # the two long runs first (runs start in this order, two at a time): the slow pages' run
    # waits out about 1,800 delayed pages, most of the matrix's time, beside all the others
    "slow-pages-thousands-of-sessions": lambda app: SlowList(
        with_many_sessions(app, 2500), delay=0.05
    ),
    # (no delay: the wrapper only counts the list's requests)
    "more-sessions-than-a-read-pages": lambda app: SlowList(
        with_many_sessions(app, PAST_THE_BUDGET), delay=0.0
    ),
    "connection-close": lambda app: Framed(app, close=True),
    "gzip-chunked": lambda app: Framed(GZipMiddleware(app, minimum_size=0), chunk=7),
    "caching-and-tracing-headers": CachingAndTracing,
    "escaped-json": EscapedJson,
    "new-enum-values-and-envelope-extras": lambda app: RewrittenJson(
        with_new_enum_values(app), pagy_extras
    ),
}
HTTP10 = "http-1.0-close-delimited"


@dataclass
class Outcome:
    run: CheckRun
    met: int


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    base = tmp_path_factory.mktemp("framing")
    with contextlib.ExitStack() as stack:
        envs: dict[str, dict[str, str]] = {}
        served: dict[str, Served] = {}
        for name, build in VARIANTS.items():
            served[name] = Served(build, [])
            envs[name] = stack.enter_context(serve_mock(deadline=60, wrap=served[name].wrap)).env
        envs[HTTP10], front = stack.enter_context(_http10())
        with ThreadPoolExecutor(max_workers=2) as pool:
            runs = {
                name: pool.submit(run_check, base / name, "--strict", env=env, timeout=900)
                for name, env in envs.items()
            }
            done = {name: future.result() for name, future in runs.items()}
        met = {name: s.met() for name, s in served.items()} | {HTTP10: front.answers}
    return {name: Outcome(done[name], met[name]) for name in done}


@contextlib.contextmanager
def _http10() -> Iterator[tuple[dict[str, str], Any]]:
    with serve_mock(deadline=60) as mock:
        port = int(mock.base_url.rsplit(":", 1)[1])
        with http10_front(port) as front:
            env = {k: v.replace(f":{port}", f":{front.port}") for k, v in mock.env.items()}
            yield env, front


def _statuses(run: CheckRun) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in run.report["rules"]}


def _strict_pass(outcome: Outcome) -> dict[str, dict[str, Any]]:
    run = outcome.run
    rules = _statuses(run)
    failed = {k: r["failures"][:2] for k, r in rules.items() if r["status"] == "failed"}
    assert run.returncode == 0, (failed, run.stdout[-2000:], run.stderr[-1500:])
    assert not failed
    assert outcome.met > 50, "the variant must really have answered the run"
    return rules


@pytest.mark.parametrize("name", sorted(set(VARIANTS) - {"more-sessions-than-a-read-pages"}))
def test_faithful_variant_passes_strict(outcomes: dict[str, Outcome], name: str) -> None:
    rules = _strict_pass(outcomes[name])
    for rule in LIST_RULES:
        assert rules[rule]["status"] == "passed", (rule, rules[rule].get("reason"))


def test_http10_front_passes_strict(outcomes: dict[str, Outcome]) -> None:
    _strict_pass(outcomes[HTTP10])


def test_a_list_past_the_read_budget_earns_no_whole_list_verdict(
    outcomes: dict[str, Outcome],
) -> None:
    """Thousands more Sessions than a read may page through: the Session edited is still read
    (its window), every other rule is judged, and the rules that need the whole list are
    ``not_run`` with the budget as their reason, never ``passed``."""
    rules = _strict_pass(outcomes["more-sessions-than-a-read-pages"])
    for rule in WHOLE_LIST_RULES:
        assert rules[rule]["status"] == "not_run", rule
        assert f"more than the {PAGE_BUDGET} pages" in rules[rule]["reason"], rules[rule]
    judged = {k for k, r in rules.items() if r["status"] == "passed"}
    assert {"fields-applied", "invites-additive", "list-envelope", "list-reflects-edits"} <= judged


def test_the_slow_list_was_slow(outcomes: dict[str, Outcome]) -> None:
    """Each list request waited: the run still ended well within its deadline."""
    outcome = outcomes["slow-pages-thousands-of-sessions"]
    assert outcome.met > 100
    assert outcome.run.report["run"]["deadline_reached"] is False
