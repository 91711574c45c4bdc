"""Bounded evidence: whatever a target sends, a test keeps a few MiB of it, a finding 64 KiB.

The unit tests fill the log and the recorder directly; the slow one runs ``check`` against a
served list of ~0.9 MB pages that claims 10^9 pages and reads the report's evidence figures
(peak memory is measured by ``benchmarks/bench_check_memory.py``, not asserted here).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prevail_contract.runtime.exchange import (
    MAX_TEST_BODY_BYTES,
    Exchange,
    ExchangeLog,
)
from prevail_contract.runtime.recorder import EVIDENCE_BODY_BYTES, MAX_FINDINGS_KEPT, RuleRecorder
from prevail_contract.runtime.verdict import Finding
from tests.plugins.hostile import ENDLESS_PAGE, endless_list, run_check_measured, serve_hostile

PAGE = b"x" * 900_000


def _page(status: int = 200) -> Exchange:
    return Exchange("GET", "http://t/api/v1/sessions", {}, None, status, {}, PAGE)


def test_a_test_keeps_at_most_its_byte_cap_of_bodies() -> None:
    log = ExchangeLog()
    for _ in range(100):  # 90 MB of answers in one test
        log.add(_page())
    batch = log.drain()
    assert batch.total == 100
    kept = sum(len(e.response_body) for e in batch.exchanges)
    assert kept <= MAX_TEST_BODY_BYTES
    assert batch.kept_bytes <= MAX_TEST_BODY_BYTES
    assert batch.bodies_dropped == 100 - MAX_TEST_BODY_BYTES // len(PAGE)
    assert all(e.body_dropped for e in batch.exchanges[-batch.bodies_dropped :])
    # the next test starts with a fresh budget
    log.add(_page())
    assert log.drain().exchanges[0].response_body == PAGE


def test_past_the_count_cap_exchanges_are_only_counted_with_their_rules() -> None:
    log = ExchangeLog(max_exchanges=10)
    for number in range(25):
        exchange = _page(200 if number % 2 else 422)
        log.add(exchange)
        exchange.checked.add("error-shape")  # as tests mark an exchange after sending it
    batch = log.drain()
    assert len(batch.exchanges) == 10
    assert batch.total == 25
    counted = {key: n for key, n in batch.counted_only.items()}
    assert sum(counted.values()) == 15
    assert all(checked == frozenset({"error-shape"}) for (_, _, checked) in counted)
    recorder = RuleRecorder()
    recorder._count(["list-envelope"], batch)
    assert recorder.records["error-shape"].cases == 25
    assert recorder.records["list-envelope"].rejected == 13


def test_a_finding_keeps_a_bounded_answer_and_a_rule_a_bounded_number() -> None:
    recorder = RuleRecorder()
    batch = ExchangeLog().drain()
    for number in range(MAX_FINDINGS_KEPT + 50):
        recorder._file(Finding("list-envelope", f"page {number} broke", _page()), batch)
    record = recorder.records["list-envelope"]
    assert len(record.findings) == MAX_FINDINGS_KEPT
    assert record.more_findings == 50
    assert all(
        f.exchange is not None and len(f.exchange.response_body) == EVIDENCE_BODY_BYTES
        for f in record.findings
    )


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_an_endless_list_of_huge_pages_leaves_bounded_evidence(tmp_path: Path) -> None:
    assert 700_000 < len(ENDLESS_PAGE) < 1_000_000
    with serve_hostile(endless_list) as target:
        run = run_check_measured(tmp_path, "--deadline", "20", env=target.env(), timeout=240)
        pages = sum(1 for r in target.received if r.method == "GET")
    report = json.loads((tmp_path / "conformance.json").read_text())
    evidence = report["run"]["evidence"]
    assert pages * len(ENDLESS_PAGE) > 4 * MAX_TEST_BODY_BYTES, pages  # far more than kept
    assert evidence["largest_kept_bytes_of_a_test"] <= MAX_TEST_BODY_BYTES
    assert evidence["answers_kept_without_body"] > 0
    assert any("evidence capped" in " ".join(r.get("notes", [])) for r in report["rules"])
    assert run.returncode != 0, run.stdout[-2000:]  # cut reads earn no verdict: never green
    # each read of the endless list stops at its page bound, and says so, instead of running
    # the whole run into its deadline
    cut = "the list holds more than the"
    assert any(cut in " ".join(r.get("notes", [])) for r in report["rules"])
    assert any(r["status"] == "not_run" and cut in (r.get("reason") or "") for r in report["rules"])
