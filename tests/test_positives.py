"""The accepted-side probes come from the spec: each is valid by the spec's own reading, each
length edge is the last valid length (one more character is refused), every zone and every
date, time and step edge is sent, and a spec edit moves the edges with no code edit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from contract_tests.support.body_rules import body_rules
from contract_tests.support.facts import facts
from contract_tests.support.positives import (
    DATE_CANDIDATES,
    TIME_CANDIDATES,
    address_probes,
    longest,
    schedule_probes,
    title_probes,
)
from contract_tests.support.probes import FUTURE_DATE, future_dated
from prevail_contract.spec import load_spec, read_document
from prevail_contract.spec.paths import SPEC_PATH
from prevail_contract.spec.violation_rules import ANNOTATION

SPEC = load_spec()
F = facts(SPEC)


def _broken(edit: dict[str, Any]) -> set[str]:
    return body_rules(SPEC).broken({"remote_session": edit})


def test_longest_finds_the_last_length_that_holds() -> None:
    assert longest(lambda n: n <= 77) == 77
    assert longest(lambda n: n <= 1) == 1
    assert longest(lambda n: False) == 0
    assert longest(lambda n: 5 <= n <= 300, start=5) == 300
    assert longest(lambda n: True, cap=50) == 50


def test_every_probe_is_valid_by_the_spec() -> None:
    probes = [*title_probes(F), *schedule_probes(F), *address_probes(F, "t1")]
    assert len(probes) > len(F.zones)
    for probe in probes:
        assert _broken(probe.edit) == set(), probe.purpose
        for part in probe.parts:
            assert _broken(part.edit) == set(), part.purpose


def test_titles_reach_both_length_limits_in_astral_characters() -> None:
    schema = F.field("title")
    texts = [p.edit["title"] for p in title_probes(F)]
    longest_title = max(texts, key=len)
    assert len(longest_title) == schema["maxLength"]
    # as many characters as maxLength allows, but more UTF-16 code units (and UTF-8 bytes)
    assert len(longest_title.encode("utf-16-le")) // 2 > schema["maxLength"]
    assert _broken({"title": longest_title + "x"}) == {"field-limits"}
    shortest = min(texts, key=len)
    assert len(shortest) == schema["minLength"]
    assert ord(shortest) > 0xFFFF
    assert any("\u200d" in t for t in texts)  # joiners
    assert any("\u200c" in t for t in texts)
    assert any("\u05d3" in t or "\u0627" in t for t in texts)  # right to left


def test_refusing_a_probe_breaks_its_keywords_rule() -> None:
    schema = F.field("title")
    by_purpose = {p.purpose: p for p in title_probes(F)}
    at_max = next(p for k, p in by_purpose.items() if f"of {schema['maxLength']} " in k)
    assert at_max.refused_rule == schema[ANNOTATION]["maxLength"]


def test_each_address_edge_is_the_last_valid_length() -> None:
    probes = {p.purpose: p.edit[F.invite_field][0] for p in address_probes(F, "t2")}
    local = next(a for k, a in probes.items() if "local part" in k)
    name, _, domain = local.rpartition("@")
    assert _broken({F.invite_field: [f"{name}z@{domain}"]})
    label = next(a for k, a in probes.items() if "domain label" in k)
    head, _, rest = label.partition("@")
    assert _broken({F.invite_field: [f"{head}@d{rest}"]})
    widest = next(a for k, a in probes.items() if k.startswith("invite of "))
    assert len(widest) > len(local)
    assert _broken({F.invite_field: ["z" + widest]})
    every = next(a for k, a in probes.items() if "every allowed" in k)
    for mark in "!#$%&'*+/=?^_`{|}~-":
        assert mark in every
    assert all(a.endswith("example.com") for a in probes.values())


def test_every_zone_and_every_edge_is_sent() -> None:
    probes = schedule_probes(F)
    zones = [p.edit["time_zone"] for p in probes]
    assert sorted(zones) == sorted(F.zones)
    assert {p.edit["start_date"] for p in probes} == set(DATE_CANDIDATES)
    assert {p.edit["start_time"] for p in probes} == set(TIME_CANDIDATES)
    durations = {p.edit["estimated_duration"] for p in probes}
    schema = F.field("estimated_duration")
    assert schema["maximum"] in durations
    assert schema["exclusiveMinimum"] + schema["multipleOf"] in durations


def test_a_spec_edit_moves_the_edges(tmp_path: Path) -> None:
    doc = read_document(SPEC_PATH)
    doc["components"]["schemas"]["RemoteSessionEdit"]["properties"]["title"]["maxLength"] = 40
    doc["components"]["schemas"]["InviteEmail"]["maxLength"] = 120
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    edited = facts(load_spec(path))
    assert max(len(p.edit["title"]) for p in title_probes(edited)) == 40
    widest = [p for p in address_probes(edited, "t3") if p.purpose.startswith("invite of ")]
    assert [len(p.edit[edited.invite_field][0]) for p in widest] == [120]


def test_a_refused_address_of_the_documented_form_is_the_assumed_grammars_finding() -> None:
    # the documentation says only that invites are email addresses: a server refusing an
    # unusual one (marks, dotted atoms, long labels or local parts) breaks the kit's assumed
    # grammar, not a documented rule (a Rails-style check refuses most of these)
    probes = address_probes(F, "t4")
    assert {p.purpose for p in probes} >= {"invite with every allowed character"}
    for probe in probes:
        assert not SPEC.rule(probe.refused_rule).documented, (probe.purpose, probe.refused_rule)


def test_a_past_schedule_date_is_moved_ahead_and_nothing_else() -> None:
    documented = SPEC.example("EditRequestDocumented").value
    moved = future_dated(F, documented)
    dates = [n for n in F.schedule if F.field(n).get("format") == "date"]
    assert dates
    for name in dates:
        assert moved["remote_session"][name] == FUTURE_DATE  # the example's 2025 date is past
    others = {k: v for k, v in moved["remote_session"].items() if k not in dates}
    assert others == {k: v for k, v in documented["remote_session"].items() if k not in dates}
    ahead = {"remote_session": {**documented["remote_session"], dates[0]: "2999-01-01"}}
    assert future_dated(F, ahead) == ahead
