"""``check --sandbox``: ask a served mock for a fresh sandbox, trusting nothing of its answer.

The answer comes from whatever listens at ``--base-url``, so it is read within the run's
request time limit and a small size, and only the sandbox's own credentials and ids are taken
from it: the fixture variables of the spec's ``x-fixture-variables`` whose kind is a token, a
session id or text. A base URL in it must be the run's own; anything else (another server, the
run's bounds, the invite cap, an unknown variable) stops the run before any work (exit 2).
Everything shown from the answer is masked (the admin token included) and escaped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

import httpx

from prevail_contract.errors import ConfigError
from prevail_contract.runtime.bounds import Limits, RequestTimeoutError, read_capped, wall_clock
from prevail_contract.runtime.config import ENV_VARS, VARIABLES, api_base, mock_admin_url
from prevail_contract.runtime.exchange import json_or_none
from prevail_contract.runtime.safety import Masker, printable
from prevail_contract.spec import Spec

#: Path of the mock's sandbox endpoint, under the served root.
SANDBOXES_PATH = "/__mock__/sandboxes"
#: A sandbox answer is a few hundred bytes; more is not read.
MAX_ANSWER_BYTES = 64 * 1024
#: Longest value taken for one variable (a JWT is a few hundred characters).
MAX_VALUE_CHARS = 4096
#: The kinds of fixture variable a sandbox may set: its credentials and its ids.
SANDBOX_KINDS = ("token", "session-id", "text")
#: A sandbox id as the mock makes it (``sbx-`` and hex), with room for other servers' ids.
SANDBOX_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: What a value may hold: printable ASCII without spaces (tokens, slugs, ids, ``state:id`` lists).
VALUE = re.compile(r"[\x21-\x7e]+")
#: Characters of the answer quoted in an error.
QUOTED_CHARS = 200


def admin_token() -> str | None:
    """The mock's admin token, when the served mock was started with one."""
    from prevail_contract.mock import ADMIN_TOKEN_VARIABLE  # the variable the mock reads

    return os.environ.get(ADMIN_TOKEN_VARIABLE) or None


def sandbox_environment(
    base_url: str | None, spec: Spec, limits: Limits, masker: Masker
) -> tuple[str, dict[str, str]]:
    """The sandbox id and the ``PREVAIL_*`` variables of a fresh sandbox of the mock served at
    ``base_url``; raises :class:`ConfigError` (one line, masked and escaped) otherwise."""
    if not base_url:
        raise ConfigError("--sandbox needs --base-url (or PREVAIL_BASE_URL) of a served mock")
    own = api_base(base_url, spec)
    root = own.removesuffix(spec.base_path)
    token = admin_token()
    masker.add(token)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    seconds = max(min(limits.request_timeout, limits.deadline), 0.05)
    url = f"{root}{SANDBOXES_PATH}"
    try:
        with (
            httpx.Client(timeout=seconds, follow_redirects=False) as client,
            wall_clock(seconds),
            client.stream("POST", url, headers=headers) as response,
        ):
            body, cut = read_capped(response.iter_bytes(), MAX_ANSWER_BYTES)
            status = response.status_code
    except (httpx.HTTPError, RequestTimeoutError) as exc:
        detail = f"no complete answer within {seconds:g} s" if _timed_out(exc) else str(exc)
        raise ConfigError(
            f"--sandbox: cannot get a sandbox from {_shown(root, masker)} "
            f"({type(exc).__name__}: {_shown(detail, masker)})"
        ) from None
    if cut:
        raise ConfigError(
            f"--sandbox: {_shown(url, masker)} answered more than {MAX_ANSWER_BYTES} bytes "
            "(a sandbox answer is a few hundred): not a prevail-contract mock?"
        )
    if status != 201:
        raise ConfigError(
            f"--sandbox: {_shown(url, masker)} answered {status}, not 201 "
            f"(is it a prevail-contract mock?): {_quote(body, masker)}"
        )
    return read_answer(json_or_none(body), own, spec, masker, shown=_quote(body, masker))


def read_answer(
    answer: Any, own_base: str, spec: Spec, masker: Masker, *, shown: str = ""
) -> tuple[str, dict[str, str]]:
    """The sandbox id and the variables a sandbox answer may set, checked one by one."""
    where = f"--sandbox: the sandbox answer {shown}".rstrip()
    if not isinstance(answer, dict):
        raise ConfigError(f"{where} is not a JSON object")
    sandbox_id = answer.get("sandbox_id")
    if not isinstance(sandbox_id, str) or not SANDBOX_ID.fullmatch(sandbox_id):
        raise ConfigError(
            f"{where} has no usable sandbox_id (letters, digits, '.', '_', '-'; "
            f"got {_shown(repr(sandbox_id)[:80], masker)})"
        )
    environment = answer.get("environment")
    if not isinstance(environment, dict):
        raise ConfigError(f"{where} has no environment object")
    rows = {row.name: row for row in VARIABLES}
    taken: dict[str, str] = {}
    for key, value in environment.items():
        name = _shown(repr(key)[:80], masker)
        if not isinstance(value, str) or len(value) > MAX_VALUE_CHARS or not VALUE.fullmatch(value):
            raise ConfigError(
                f"--sandbox: the sandbox answer's {name} is not a plain value (printable "
                f"ASCII without spaces, at most {MAX_VALUE_CHARS} characters)"
            )
        row = rows.get(key)
        if row is not None and row.name == ENV_VARS["mock_admin_url"]:
            # the sandbox's own admin API: on the mock's origin (mock_admin_url checks it)
            try:
                mock_admin_url(value, own_base)
            except ConfigError:
                raise ConfigError(
                    f"--sandbox: the sandbox answer points {key} at {_shown(value, masker)}, "
                    f"not at the origin of {_shown(own_base, masker)}: a sandbox is served where "
                    "it was made"
                ) from None
            taken[key] = value
            continue
        if row is not None and row.kind == "url":
            if api_base(value, spec) != own_base:
                raise ConfigError(
                    f"--sandbox: the sandbox answer points {key} at {_shown(value, masker)}, "
                    f"not at {_shown(own_base, masker)}: a sandbox is served where it was made"
                )
            continue
        if row is None or row.kind not in SANDBOX_KINDS:
            allowed = ", ".join(r.name for r in VARIABLES if r.kind in SANDBOX_KINDS)
            raise ConfigError(
                f"--sandbox: the sandbox answer may set only the sandbox's credentials and ids "
                f"({allowed}), not {name}"
            )
        taken[key] = value
    masker.add(*(value for key, value in taken.items() if rows[key].secret))
    return sandbox_id, taken


def _timed_out(exc: BaseException) -> bool:
    return isinstance(exc, httpx.TimeoutException | RequestTimeoutError)


def _shown(text: str, masker: Masker) -> str:
    return printable(masker(text))


def _quote(body: bytes, masker: Masker) -> str:
    text = " ".join(body[: QUOTED_CHARS * 4].decode("utf-8", "replace").split())
    return repr(_shown(text, masker)[:QUOTED_CHARS])


def secrets_of(env: Mapping[str, str]) -> list[str]:
    """The secret fixture values among ``env`` (to mask before the sandbox is asked)."""
    return [env[row.name] for row in VARIABLES if row.secret and env.get(row.name)]
