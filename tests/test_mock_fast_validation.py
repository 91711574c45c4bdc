"""The mock's Rust fast path and its jsonschema explanation reach the same verdict on bodies."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prevail_contract.mock.validation import BodyValidator
from prevail_contract.spec import Spec

SCHEDULE = {"start_date": "2025-01-30", "start_time": "02:30 PM", "time_zone": "Hawaii"}
EDGES: list[dict[str, Any]] = [
    *({**SCHEDULE, "start_date": d} for d in ("2025-02-30", "2024-02-29", "2025-13-01", "x")),
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
