"""Preflight of a live target: one refused request proves the base URL, token and Session id.

Before any rule runs, :func:`preflight` sends an edit the contract must refuse without changing
anything (an empty ``remote_session``, 422 ``validation_failed``) to the configured Session.
Because the checks run in the contract's order (401, 403, 404, then body validation), the
answer tells which fixture is wrong: 401 the credentials, 403 an Organization without
Self-Service, 404 ``session_not_found`` the Session id. Each problem is a
:class:`~prevail_contract.errors.ConfigError` (exit 2) naming the variable and the answer.

"Not this API" is told from "this API breaking an assumed detail": a redirect, or an answer of
a status the probe cannot get (another service; an HTML page) names ``PREVAIL_BASE_URL``; a
refusal of the status the probe expects whose body lacks part of the assumed ``Error`` shape
(no ``code``, or no JSON at all) goes on, and the run reports ``error-shape`` (and whatever
else the server breaks); a body that says it is JSON and cannot be read stops the run (exit 2).
With ``PREVAIL_MOCK_ADMIN_URL`` the preflight also checks that it answers like the mock's admin
API (``mock_signal``).
When the API gains a read-only list of Sessions, only :func:`probe_request` needs to change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from prevail_contract.errors import ConfigError
from prevail_contract.runtime import tokens
from prevail_contract.runtime.bounds import RequestTimeoutError, read_capped, wall_clock
from prevail_contract.runtime.config import ENV_VARS, TargetConfig
from prevail_contract.runtime.cookies import lean_cookies
from prevail_contract.runtime.media import is_json
from prevail_contract.runtime.mock_signal import admin_headers, admin_problem, admin_root, refusal
from prevail_contract.runtime.safety import Masker, invite_names
from prevail_contract.spec import Spec, load_spec
from prevail_contract.spec.operation_registry import EDIT_ROLE, operation_registry


def probe_body(spec: Spec | None = None) -> bytes:
    """The probe: valid JSON with an empty edit, which the contract refuses before looking at
    the Session's state."""
    return json.dumps({invite_names(spec).envelope: {}}).encode()


def _status(spec: Spec, rule_id: str) -> int | str:
    return spec.rule(rule_id).status


_TIMEOUT = httpx.Timeout(15.0)
#: An Error answer is a few hundred bytes; more is read no further.
_MAX_ANSWER_BYTES = 64 * 1024


#: What :attr:`Answer.document` is for a body that is not JSON.
NOT_JSON = object()


@dataclass(frozen=True)
class Answer:
    """What the target answered to one probe."""

    status: int
    content_type: str
    body: bytes
    #: Where a redirect points (``location``), if it is one.
    location: str | None = None

    @property
    def error_code(self) -> str | None:
        """The ``code`` of an ``Error``-shaped JSON body, else ``None``."""
        try:
            parsed: Any = json.loads(self.body)
        except (ValueError, UnicodeDecodeError, RecursionError):  # too deep: not the API's JSON
            return None
        code = parsed.get("code") if isinstance(parsed, dict) else None
        return code if isinstance(code, str) else None

    @property
    def document(self) -> Any:
        """The body parsed as JSON, or ``NOT_JSON``."""
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return NOT_JSON

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


def probe_request(client: httpx.Client, url: str, token: str, method: str) -> Answer:
    """Send the read-only probe (with the edit's ``method``) to one Session URL; its answer."""
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    # bounded like every request of a run: the answer is cut, the exchange has a wall clock
    try:
        with (
            wall_clock(_TIMEOUT.read or 15.0),
            client.stream(method, url, content=probe_body(), headers=headers) as response,
        ):
            body, _ = read_capped(response.iter_bytes(), _MAX_ANSWER_BYTES)
    except RequestTimeoutError as exc:
        raise httpx.ReadTimeout(str(exc)) from None
    return Answer(
        response.status_code,
        response.headers.get("content-type", ""),
        body,
        response.headers.get("location"),
    )


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
        _without_code(config, answer, masker, spec, locked=locked)
        return
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


def _without_code(
    config: TargetConfig, answer: Answer, masker: Masker, spec: Spec, *, locked: bool
) -> None:
    """An answer without an ``Error`` code: this API breaking the assumed shape (the run goes
    on and reports it), or not this API at all (``ConfigError`` naming the base URL)."""
    seen = answer.describe(masker)
    base = f"{_named('base_url')} {config.base_url}"
    document = answer.document
    if 300 <= answer.status < 400:
        where = masker(answer.location or "no Location")
        raise ConfigError(
            f"{base} redirects ({seen}, to {where}): give the API base itself (the run follows "
            "no redirect)"
        )
    expected = {_status(spec, "field-formats")}
    if locked:
        expected.add(spec.rule("editable-states").status)
    if answer.status in expected:
        if document is NOT_JSON and is_json(answer.content_type) and answer.body.strip():
            # JSON by its Content-Type but unreadable (malformed, or nested past any parser):
            # a broken target, stopped here in one line rather than in every rule
            raise ConfigError(
                f"{base} answers the preflight's edit with a JSON body that cannot be read "
                f"({seen}); the run needs readable answers"
            )
        # the right refusal in another shape (no Error code, or no JSON at all as Rails'
        # `head :unprocessable_entity` answers): error-shape's finding, not a setup error
        return
    if document is NOT_JSON:
        raise ConfigError(
            f"{base} does not answer like the Prevail API: an edit it must refuse with a JSON "
            f"Error body got {seen}; check the URL (it ends in the API base path, e.g. /api/v1)"
        )
    schemas = spec.document.get("components", {}).get("schemas", {})
    response = schemas.get("EditSessionResponse") or {}
    listed = next(iter(response.get("properties") or {}), None)
    if 200 <= answer.status < 300 and _edited_session(document, listed):
        return  # an empty edit accepted and answered with the Session: the run reports it
    if answer.status == _status(spec, "auth-required"):
        raise ConfigError(
            f"{_credentials_var(config)} is not accepted by the target, or {base} is not the "
            f"API (its 401 has no Error code): {seen}"
        )
    raise ConfigError(
        f"{base} does not answer like the Prevail API: an edit it must refuse with "
        f"{_status(spec, 'field-formats')} got {seen}; check the URL (it ends in the API base "
        "path, e.g. /api/v1)"
    )


def _edited_session(document: Any, listed: str | None) -> bool:
    """Whether ``document`` is an edit's answer: the response's list holding a Session."""
    items = document.get(listed) if isinstance(document, dict) and listed else None
    first = items[0] if isinstance(items, list) and items else None
    return isinstance(first, dict) and "remote_session_id" in first


def preflight(config: TargetConfig, api_base: str, masker: Masker) -> int:
    """Probe a live target's fixtures; return the number of requests sent."""
    token = _token(config)
    masker.add(token)
    probes = [(_named("session_id"), config.session_id)]
    if config.locked_session_id is not None:
        probes.append((_named("locked_session_id"), config.locked_session_id))
    edit = operation_registry(load_spec()).role(EDIT_ROLE)
    # its probes keep cookies as a run does (none that cannot be sent back)
    with lean_cookies(httpx.Client(timeout=_TIMEOUT, follow_redirects=False)) as client:
        for var, session_id in probes:
            url = api_base + edit.path_for(str(session_id))
            try:
                answer = probe_request(client, url, token, edit.method)
            except httpx.HTTPError as exc:
                raise ConfigError(
                    f"cannot reach {_named('base_url')} {config.base_url} "
                    f"({type(exc).__name__}: {masker(str(exc)) or 'no answer'}); check the URL "
                    "and that the server is up"
                ) from None
            locked = session_id == config.locked_session_id and var != _named("session_id")
            judge(config, answer, masker, session_var=var, locked=locked)
        root = admin_root(config)
        if root is not None:
            assert config.session_id is not None
            problem = admin_problem(client, root, admin_headers(config), config.session_id)
            if problem is not None:
                raise ConfigError(refusal(root, problem))
    return len(probes)
