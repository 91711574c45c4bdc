"""A YAML value its type cannot hold (``2026-02-30``, ``!!int x``) is an error naming its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from prevail_contract.errors import ConfigError, SpecError
from prevail_contract.mock.fixture_document import DocumentError, read_document
from prevail_contract.mock.fixtures import load_fixtures
from prevail_contract.spec import load_spec, parse_document
from prevail_contract.spec.paths import spec_path
from prevail_contract.spec.yaml_values import TextDatesLoader, load

BAD_VALUES = [
    ("2026-02-30", "'2026-02-30' is not a valid timestamp (day is out of range for month)"),
    ("2026-13-01T10:00:00Z", "is not a valid timestamp (month must be in 1..12)"),
    ("!!int x", "'x' is not a valid int"),
    ("!!timestamp soon", "'soon' is not a valid timestamp"),
]


@pytest.mark.parametrize(("value", "said"), BAD_VALUES)
def test_a_spec_with_a_bad_typed_value_is_a_spec_error_at_its_line(value: str, said: str) -> None:
    with pytest.raises(SpecError) as caught:
        parse_document(f"openapi: 3.1.0\nx-when: {value}\n", "spec.yaml")
    assert str(caught.value).startswith("spec.yaml is not valid YAML: ")
    assert said in str(caught.value)
    assert str(caught.value).endswith("at line 2, column 9")


@pytest.mark.parametrize(("value", "said"), BAD_VALUES)
def test_a_fixtures_file_with_a_bad_typed_value_is_one_configuration_error(
    tmp_path: Path, value: str, said: str
) -> None:
    path = tmp_path / "fixtures.yaml"
    path.write_text(f"organizations: []\nsessions:\n  - start_date: {value}\n")
    with pytest.raises(ConfigError) as caught:
        load_fixtures(load_spec(), path)
    assert said in str(caught.value)
    assert str(caught.value).endswith("at line 3, column 17")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("value", "said"), BAD_VALUES)
def test_a_posted_fixtures_document_with_a_bad_typed_value_is_a_400(value: str, said: str) -> None:
    with pytest.raises(DocumentError) as caught:
        read_document(f"when: {value}\n".encode())
    assert caught.value.status == 400
    assert "(line 1, column 7)" in str(caught.value)
    assert said in str(caught.value)


def test_good_dates_load_as_before_and_stay_text_where_asked() -> None:
    text = "day: 2026-06-30\nat: 2026-06-30T10:00:00Z\n"
    assert str(load(text)["day"]) == "2026-06-30"
    assert load(text, TextDatesLoader) == {"day": "2026-06-30", "at": "2026-06-30T10:00:00Z"}
    assert read_document(text.encode())["day"] == load(text)["day"]


@pytest.mark.parametrize(
    ("text", "named"),
    [("x: @bad\n", "'@'"), ("a: *nowhere\n", "'nowhere'"), ("\tkey: 1\n", "'\\t'")],
)
def test_a_refused_document_is_explained_in_pyyamls_words(text: str, named: str) -> None:
    """The error names the offending character or alias (libyaml's would not)."""
    with pytest.raises(SpecError) as caught:
        parse_document(f"openapi: 3.1.0\n{text}", "spec.yaml")
    assert named in str(caught.value)
    assert "at line 2" in str(caught.value)


def test_a_tab_as_a_separator_is_refused_as_the_client_generator_refuses_it() -> None:
    with pytest.raises(SpecError, match="at line 2"):
        parse_document("openapi: 3.1.0\nx-bad:\tfine\n", "spec.yaml")


def test_a_control_character_is_refused_at_its_line_and_column() -> None:
    with pytest.raises(SpecError) as caught:
        parse_document('openapi: 3.1.0\nx-bad: "a\x07b"\n', "spec.yaml")
    assert "#x0007" in str(caught.value)
    assert str(caught.value).endswith("at line 2, column 10")


def test_nesting_too_deep_for_python_is_an_error_not_a_crash(tmp_path: Path) -> None:
    deep = "[" * 3000 + "]" * 3000
    with pytest.raises(SpecError, match="nested too deeply"):
        parse_document(f"openapi: 3.1.0\nx: {deep}\n", "spec.yaml")
    path = tmp_path / "fixtures.yaml"
    path.write_text(f"organizations: {deep}\n")
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_fixtures(load_spec(), path)


def test_files_that_are_not_utf8_are_one_line_errors(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_bytes(spec_path().read_bytes() + b"x-bad: caf\xe9\n")
    with pytest.raises(SpecError) as caught:
        load_spec(spec)
    assert "is not UTF-8 text: byte 0xe9 at line" in str(caught.value)
    fixtures = tmp_path / "fixtures.yaml"
    fixtures.write_bytes(b"organizations: []\n# \xff\n")
    with pytest.raises(ConfigError) as caught_fixtures:
        load_fixtures(load_spec(), fixtures)
    assert str(caught_fixtures.value).endswith("byte 0xff at line 2 (offset 20)")
