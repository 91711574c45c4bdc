"""The mock's Rust fast path and its jsonschema explanation reach the same verdict on bodies."""

from __future__ import annotations

import unicodedata
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prevail_contract.mock import ecma
from prevail_contract.mock.validation import BodyValidator
from prevail_contract.spec import Spec

SCHEDULE = {"start_date": "2025-01-30", "start_time": "02:30 PM", "time_zone": "Hawaii"}
EDGES: list[dict[str, Any]] = [
    *(
        {**SCHEDULE, "start_date": d}
        for d in (
            "2025-02-30",
            "2024-02-29",
            "2025-13-01",
            "x",
            "0000-01-01",
            "9999-12-31",
            "0001-01-01",
        )
    ),
    *({**SCHEDULE, "start_time": t} for t in ("2:30 PM", "12:00 AM", "02:30 pm", "14:30")),
    *({**SCHEDULE, "time_zone": z} for z in ("America/New_York", "London", "", "UTC")),
    *({"invites": [e]} for e in ("a" * 64 + "@x.io", "a" * 65 + "@x.io", "jade@example", "ù@x.io")),
    *({"invites": [{"email": "a@x.io", "access_level": lv}]} for lv in ("host", "owner", None)),
    *({"title": t} for t in ("", "ok", "a\x00b", "tab\there", "\u2603", "x" * 255, "x" * 256)),
    *({"estimated_duration": v} for v in (0, 0.25, 0.3, 24, 24.25, -1, True, "1", 1e-300)),
    {"start_date": "2025-01-30"},
    {"unknown": 1},
    {},
]


@pytest.fixture(scope="module")
def body_validator(spec: Spec) -> BodyValidator:
    return BodyValidator(spec)


def _agree(validator: BodyValidator, body: Any) -> None:
    assert validator.fast.is_valid(body) == validator.validator.is_valid(body), body


@pytest.mark.parametrize("edit", EDGES)
def test_edge_cases_agree(body_validator: BodyValidator, edit: dict[str, Any]) -> None:
    _agree(body_validator, {"remote_session": edit})


def test_spec_examples_agree(body_validator: BodyValidator, spec: Spec) -> None:
    for example in spec.examples().values():
        if not example.setup.get("raw"):
            _agree(body_validator, example.value)


_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_fields = st.sampled_from(
    ["title", "start_date", "start_time", "time_zone", "invites", "estimated_duration", "x"]
)


@settings(max_examples=300, deadline=None)
@given(
    edit=st.dictionaries(
        _fields,
        _scalars | st.lists(_scalars | st.fixed_dictionaries({"email": st.text()}), max_size=3),
        max_size=4,
    )
)
def test_random_edits_agree(body_validator: BodyValidator, edit: dict[str, Any]) -> None:
    _agree(body_validator, {"remote_session": edit})


@settings(max_examples=300, deadline=None)
@given(
    date=st.tuples(
        st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32), st.sampled_from(["", "\n"])
    ).map(lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}{t[3]}")
)
def test_dates_agree_including_year_zero(body_validator: BodyValidator, date: str) -> None:
    _agree(body_validator, {"remote_session": {**SCHEDULE, "start_date": date}})


def _patterns(node: Any) -> set[str]:
    """Every ``pattern`` in a schema node, nested ones included."""
    found: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            found.add(node["pattern"])
        for value in node.values():
            found |= _patterns(value)
    elif isinstance(node, list):
        for value in node:
            found |= _patterns(value)
    return found


def _spec_patterns(spec: Spec) -> list[str]:
    return sorted(_patterns(spec.document))


_BREAKS = st.sampled_from(["\n", "\r\n", "\r", "\u0085", "\u2028", "\u2029", "\x00", ""])


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_spec_patterns_agree_on_anchors_and_line_breaks(spec: Spec, data: st.DataObject) -> None:
    """Text the pattern matches, with line breaks added before or after, gets one verdict."""
    pattern = data.draw(st.sampled_from(_spec_patterns(spec)))
    core = data.draw(st.from_regex(ecma.to_python(pattern), fullmatch=True) | st.text(max_size=8))
    text = data.draw(_BREAKS) + core + data.draw(_BREAKS)
    fast = jsonschema_rs.Draft202012Validator({"type": "string", "pattern": pattern})
    assert fast.is_valid(text) == bool(ecma.compiled(pattern).search(text)), (pattern, text)


def _edit_texts() -> st.SearchStrategy[str]:
    valid = st.sampled_from(
        ["Renamed", "a@example.com", "A@Example.com", "02:30 PM", "2025-01-30", "Hawaii"]
    )
    return st.tuples(_BREAKS, valid | st.text(max_size=6), _BREAKS).map("".join)


@settings(max_examples=400, deadline=None)
@given(
    name=st.sampled_from(["title", "start_time", "start_date", "time_zone", "invites"]),
    text=_edit_texts(),
)
def test_bodies_with_line_breaks_agree(body_validator: BodyValidator, name: str, text: str) -> None:
    edit: dict[str, Any] = {"invites": [text]} if name == "invites" else {**SCHEDULE, name: text}
    if name == "title":
        edit = {"title": text}
    _agree(body_validator, {"remote_session": edit})


@pytest.mark.parametrize(
    "edit",
    [
        {"title": "Renamed\n"},
        {"title": "Renamed\r\n"},
        {"invites": ["a@example.com\n"]},
        {**SCHEDULE, "start_time": "02:30 PM\n"},
        {**SCHEDULE, "start_date": "2025-01-30\n"},
    ],
)
def test_final_line_break_refused_by_both(
    body_validator: BodyValidator, edit: dict[str, Any]
) -> None:
    body = {"remote_session": edit}
    assert not body_validator.fast.is_valid(body)
    assert not body_validator.validator.is_valid(body)


def test_title_pattern_refuses_exactly_control_format_and_separators(spec: Spec) -> None:
    """Every BMP code point: refused iff Cc, Cf (but the two joiners), Zl or Zp."""
    title = spec.document["components"]["schemas"]["RemoteSessionEdit"]["properties"]["title"]
    fast = jsonschema_rs.Draft202012Validator({"type": "string", "pattern": title["pattern"]})
    explain = ecma.compiled(title["pattern"])
    wrong = []
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        refused = unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") and code not in (
            0x200C,
            0x200D,
        )
        text = f"a{char}b"
        if fast.is_valid(text) == refused or bool(explain.search(text)) == refused:
            wrong.append(f"U+{code:04X}")
    assert wrong == []


def test_ecma_rewrite() -> None:
    assert ecma.to_python(r"^a$") == r"^a\Z"
    assert ecma.to_python(r"^[$]\$$") == r"^[$]\$\Z"
    assert ecma.to_python(r"^\d[\w]$") == r"^[0-9][A-Za-z0-9_]\Z"
    assert ecma.to_python(r"[]$]$") == r"[]$]\Z"
