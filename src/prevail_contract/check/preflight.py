"""Preflight of a live target: one refused request proves the base URL, token and Session id.

Before any rule runs, :func:`preflight` sends an edit the contract must refuse without changing
anything (an empty ``remote_session``, 422 ``validation_failed``) to the configured Session.
Because the checks run in the contract's order (401, 403, 404, then body validation), the
answer tells which fixture is wrong: 401 the credentials, 403 an Organization without
Self-Service, 404 ``session_not_found`` the Session id, and anything that is not an
``Error``-shaped JSON answer a base URL that is not the API. Each problem is a
:class:`~prevail_contract.errors.ConfigError` (exit 2) naming the variable and the answer.
When the API gains a read-only list of Sessions, only :func:`probe_request` needs to change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from prevail_contract.check import tokens
from prevail_contract.check.bounds import RequestTimeoutError, read_capped, wall_clock
from prevail_contract.check.config import ENV_VARS, TargetConfig
from prevail_contract.check.safety import Masker, invite_names
from prevail_contract.errors import ConfigError
from prevail_contract.spec import Spec, load_spec


def probe_body(spec: Spec | None = None) -> bytes:
    """The probe: valid JSON with an empty edit, which the contract refuses before looking at
    the Session's state."""
    return json.dumps({invite_names(spec).envelope: {}}).encode()


def _status(spec: Spec, rule_id: str) -> int | str:
    return spec.rule(rule_id).status


_TIMEOUT = httpx.Timeout(15.0)
#: An Error answer is a few hundred bytes; more is read no further.
_MAX_ANSWER_BYTES = 64 * 1024


@dataclass(frozen=True)
class Answer:
    """What the target answered to one probe."""

    status: int
    content_type: str
    body: bytes

    @property
    def error_code(self) -> str | None:
        """The ``code`` of an ``Error``-shaped JSON body, else ``None``."""
        try:
            parsed: Any = json.loads(self.body)
        except (ValueError, UnicodeDecodeError, RecursionError):  # too deep: not the API's JSON
            return None
        code = parsed.get("code") if isinstance(parsed, dict) else None
        return code if isinstance(code, str) else None

    def describe(self, masker: Masker) -> str:
        """``HTTP 404 text/html: <start of body>`` on one line."""
        text = " ".join(self.body[:160].decode("utf-8", "replace").split())
        kind = self.content_type.split(";")[0] or "no content type"
        return masker(f"HTTP {self.status} {kind}: {text!r}")


def _token(config: TargetConfig) -> str:
    if config.token is not None:
        return config.token
    assert config.company_id is not None
    assert config.api_key is not None
    return tokens.mint(config.company_id, config.api_key)


def probe_request(client: httpx.Client, url: str, token: str) -> Answer:
    """Send the read-only probe to one Session URL and return the answer."""
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    # bounded like every request of a run: the answer is cut, the exchange has a wall clock
    try:
        with (
            wall_clock(_TIMEOUT.read or 15.0),
            client.stream("PATCH", url, content=probe_body(), headers=headers) as response,
        ):
            body, _ = read_capped(response.iter_bytes(), _MAX_ANSWER_BYTES)
    except RequestTimeoutError as exc:
        raise httpx.ReadTimeout(str(exc)) from None
    return Answer(response.status_code, response.headers.get("content-type", ""), body)


def _named(attr: str) -> str:
    """A fixture variable as messages name it: ``PREVAIL_TOKEN (--token)``."""
    return f"{ENV_VARS[attr]} (--{attr.replace('_', '-')})"


def _credentials_var(config: TargetConfig) -> str:
    if config.token is not None:
        return _named("token")
    return f"{_named('company_id')} with {_named('api_key')}"


def judge(
    config: TargetConfig,
    answer: Answer,
    masker: Masker,
    *,
    session_var: str,
    spec: Spec | None = None,
    locked: bool = False,
) -> None:
    """Raise :class:`ConfigError` unless ``answer`` shows URL, token and Session are right.

    The statuses and codes are the catalogue's (``auth-required``, ``self-service-required``,
    ``org-ownership``, and ``field-formats`` for the validation refusal it stands for).
    """
    spec = spec if spec is not None else load_spec()
    ownership = spec.rule("org-ownership")
    seen = answer.describe(masker)
    code = answer.error_code
    base = f"{_named('base_url')} {config.base_url}"
    if code is None:
        raise ConfigError(
            f"{base} does not answer like the Prevail API: an edit it must refuse with an "
            f"Error body got {seen}; check the URL (it ends in the API base path, e.g. /api/v1)"
        )
    if answer.status == _status(spec, "field-formats"):
        return
    if answer.status == _status(spec, "auth-required"):
        raise ConfigError(f"{_credentials_var(config)} is not accepted by the target: {seen}")
    if answer.status == _status(spec, "self-service-required"):
        raise ConfigError(
            f"{_credentials_var(config)} belongs to an Organization the target refuses to let "
            f"edit (Self-Service off?): {seen}"
        )
    state = spec.rule("editable-states")
    if answer.status == state.status and code == state.code:
        if locked:
            # found, owned and not editable: the fixture is right (that the state was checked
            # before the body is the assumed order, which check-order judges, not the preflight)
            return
        raise ConfigError(f"{session_var} is in a state that cannot be edited: {seen}")
    if answer.status == ownership.status and code == ownership.code:
        raise ConfigError(
            f"{session_var} is not a Session of the token's Organization on the target: {seen}"
        )
    if answer.status == ownership.status:
        raise ConfigError(f"{base} has no Edit Sessions operation at this path: {seen}")
    raise ConfigError(
        f"preflight of {session_var}: an edit with an empty remote_session should be refused "
        f"with {_status(spec, 'field-formats')} before anything else is checked, got {seen}"
    )


def preflight(config: TargetConfig, api_base: str, masker: Masker) -> int:
    """Probe a live target's fixtures; return the number of requests sent."""
    token = _token(config)
    masker.add(token)
    probes = [(_named("session_id"), config.session_id)]
    if config.locked_session_id is not None:
        probes.append((_named("locked_session_id"), config.locked_session_id))
    with httpx.Client(timeout=_TIMEOUT, follow_redirects=False) as client:
        for var, session_id in probes:
            url = f"{api_base}/sessions/{session_id}"
            try:
                answer = probe_request(client, url, token)
            except httpx.HTTPError as exc:
                raise ConfigError(
                    f"cannot reach {_named('base_url')} {config.base_url} "
                    f"({type(exc).__name__}: {masker(str(exc)) or 'no answer'}); check the URL "
                    "and that the server is up"
                ) from None
            locked = session_id == config.locked_session_id and var != _named("session_id")
            judge(config, answer, masker, session_var=var, locked=locked)
    return len(probes)
