"""Fixtures files (custom and broken) and the ``validate_responses`` debug mode."""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path

import pytest
import yaml

from prevail_contract.errors import ConfigError, SpecError
from prevail_contract.mock import create_app, target_environment
from prevail_contract.mock.fixtures import DEFAULT_FIXTURES
from prevail_contract.spec import Spec, load_spec
from prevail_contract.spec.paths import spec_path
from tests.plugins.mock import MockUnderTest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


def _fixtures() -> dict[str, object]:
    data: dict[str, object] = yaml.safe_load(DEFAULT_FIXTURES.read_text(encoding="utf-8"))
    return data


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "fixtures.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_default_fixtures_cover_every_state() -> None:
    states = {s["state"] for s in _fixtures()["sessions"]}  # type: ignore[attr-defined]
    assert states >= {"initial", "scheduled", "ready", "active", "canceled"}


def test_main_session_comes_from_the_spec_example(mock: MockUnderTest, spec: Spec) -> None:
    documented = spec.example("EditResponseDocumented").value["sessions"][0]
    stored = mock.stored()
    assert stored["provider_specific_details"] == documented["provider_specific_details"]
    assert stored["remote_session_id"] == documented["remote_session_id"]


def test_custom_fixtures_file(tmp_path: Path) -> None:
    data = _fixtures()
    data["sessions"][1]["title"] = "Custom title"  # type: ignore[index]
    app = create_app(_write(tmp_path, data))
    stored = asyncio.run(app.state.mock.store.get("acme-ready-session"))
    assert stored.fields["title"] == "Custom title"


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda d: d["organizations"][0].update(api_key="short"), "at least 32 bytes"),
        (lambda d: d["sessions"][0].update(start_time="9am"), "Session schema"),
        (lambda d: d["sessions"][0].update(colour="red"), "unknown keys"),
        (lambda d: d["sessions"][0].update(organization="nobody"), "organization"),
        (lambda d: d["targets"].update(session="acme-active-session"), "'session'"),
        (lambda d: d["targets"].update(locked_session="acme-ready-session"), "locked_session"),
        (lambda d: d.pop("targets"), "targets"),
        (lambda d: d["sessions"].append(dict(d["sessions"][1])), "duplicate"),
    ],
)
def test_broken_fixtures_are_config_errors(tmp_path: Path, change: object, fragment: str) -> None:
    data = _fixtures()
    change(data)  # type: ignore[operator]
    with pytest.raises(ConfigError, match=fragment):
        create_app(_write(tmp_path, data))


def test_unreadable_fixtures(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        create_app(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("organizations: [", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        create_app(bad)


def _checked(bugs: tuple[str, ...] = ()) -> tuple[TestClient, dict[str, str]]:
    app = create_app(bugs=bugs, validate_responses=True)
    return TestClient(app, base_url="http://mock"), target_environment(app, "http://mock")


def test_validate_responses_passes_good_answers() -> None:
    client, env = _checked()
    url = f"{env['PREVAIL_BASE_URL']}/sessions/{env['PREVAIL_SESSION_ID']}"
    auth = {"Authorization": f"Bearer {env['PREVAIL_TOKEN']}"}
    cases = [
        ({"remote_session": {"title": "ok"}}, auth, 200),
        ({"remote_session": {"title": "x" * 300}}, auth, 422),
        ({"remote_session": {"start_date": "2025-01-30"}}, auth, 422),
        ({"remote_session": {"title": "ok"}}, {}, 401),
    ]
    for body, headers, status in cases:
        assert client.patch(url, json=body, headers=headers).status_code == status
    assert client.get(url).status_code == 405
    many = {"remote_session": {f"k{i}" * 40: 1 for i in range(300)}}
    assert client.patch(url, json=many, headers=auth).status_code == 422


def test_validate_responses_catches_a_bad_answer(caplog: pytest.LogCaptureFixture) -> None:
    client, env = _checked(("response-envelope",))
    url = f"{env['PREVAIL_BASE_URL']}/sessions/{env['PREVAIL_SESSION_ID']}"
    response = client.patch(
        url,
        json={"remote_session": {"title": "ok"}},
        headers={"Authorization": f"Bearer {env['PREVAIL_TOKEN']}"},
    )
    assert response.status_code == 500
    assert response.json()["code"] == "mock_response_invalid"
    assert "sessions" in response.json()["messages"]
    assert "does not match the spec" in caplog.text


def test_every_spec_time_zone_maps_to_a_loadable_iana_zone(spec: Spec) -> None:
    from prevail_contract.spec.time_zones import unloadable_zones

    assert len(spec.time_zones()) == 151
    assert unloadable_zones(spec) == []


def test_a_spec_naming_an_iana_zone_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    """The mock refuses to start (a Session in that zone could not be listed in order), and
    ``lint`` reports it in a layer of its own."""
    from prevail_contract.lint.cli import lint

    text = spec_path().read_text(encoding="utf-8")
    name, iana = next(iter(load_spec().time_zones().items()))
    changed = tmp_path / "openapi.yaml"
    changed.write_text(text.replace(f": {iana}\n", ": Atlantis/Sunken\n", 1), encoding="utf-8")
    assert load_spec(changed).time_zones()[name] == "Atlantis/Sunken"
    for _ in range(2):  # the machine's answer is kept per process: the second app is refused too
        with pytest.raises(SpecError, match="cannot load: Atlantis/Sunken"):
            create_app(spec=changed)
    layers = {layer.name: layer.errors for layer in lint(changed, spectral=False)}
    said = layers.pop("time zones (x-iana-zones)")
    assert said == ["x-iana-zones: zoneinfo cannot load 'Atlantis/Sunken'"]
    assert all(not errors for errors in layers.values()), layers


def test_head_on_the_session_path_is_405(mock: MockUnderTest) -> None:
    response = mock.client.head(mock.url(), headers=mock.auth())
    assert response.status_code == 405
    assert response.headers["allow"] == "PATCH"
