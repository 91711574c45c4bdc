"""The target a contract run checks: read from flags and ``PREVAIL_*`` variables, validated.

The same variables configure a plain ``pytest contract_tests`` run, so :meth:`TargetConfig.to_env`
turns a validated configuration back into them for the in-process pytest session.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import overload
from urllib.parse import urlsplit

from prevail_contract.errors import ConfigError
from prevail_contract.runtime.safety import DEFAULT_MAX_INVITES, mask_url_password, mask_url_query
from prevail_contract.runtime.session_ids import session_id_problem
from prevail_contract.spec import Spec, load_spec
from prevail_contract.spec.fixture_variables import (
    FixtureVariable,
    credentials_text,
    fixture_variables,
)


class _Table:
    """The rows of the spec in use (``$PREVAIL_SPEC`` or the kit's), read again for another spec."""

    def __init__(self) -> None:
        self._spec: Spec | None = None
        self._rows: tuple[FixtureVariable, ...] = ()

    def rows(self) -> tuple[FixtureVariable, ...]:
        spec = load_spec()
        if spec is not self._spec:
            self._spec, self._rows = spec, fixture_variables(spec)
        return self._rows


_table = _Table().rows


class _Variables(Sequence[FixtureVariable]):
    """The spec's ``x-fixture-variables`` rows, read when used (never at import)."""

    @overload
    def __getitem__(self, index: int) -> FixtureVariable: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[FixtureVariable]: ...
    def __getitem__(self, index: int | slice) -> FixtureVariable | Sequence[FixtureVariable]:
        return _table()[index]

    def __len__(self) -> int:
        return len(_table())


class _EnvVars(Mapping[str, str]):
    """Flag attribute name -> environment variable, for the rows of the spec in use."""

    def __getitem__(self, attr: str) -> str:
        return {row.attr: row.name for row in _table()}[attr]

    def __iter__(self) -> Iterator[str]:
        return iter([row.attr for row in _table()])

    def __len__(self) -> int:
        return len(_table())


#: The spec's ``x-fixture-variables`` table, one row per variable.
VARIABLES: Sequence[FixtureVariable] = _Variables()
#: flag attribute name -> environment variable.
ENV_VARS: Mapping[str, str] = _EnvVars()
#: Planted mock bugs for the embedded target (used by the kit's own tests only).
MOCK_BUGS_VAR = "PREVAIL_MOCK_BUGS"
#: The reading of the contract the embedded mock serves (``full`` or ``documented``; the kit's
#: own tests and proof scripts only).
MOCK_CONTRACT_VAR = "PREVAIL_MOCK_CONTRACT"
PROFILE_VAR = "PREVAIL_PROFILE"
SEED_VAR = "PREVAIL_SEED"
PROFILES = ("fast", "thorough")
#: Default cap on invite addresses per live run, per profile: measured over HTTP against the
#: served mock, the fast profile sends up to about 450 and the thorough one up to about 2,500
#: (reserved domains only), so each default leaves room for the stateful test.
PROFILE_MAX_INVITES = {"fast": 1_000, "thorough": 5_000}


@dataclass(frozen=True)
class TargetConfig:
    """Where to send requests and with which fixtures (sessions, tokens, keys)."""

    base_url: str | None = None
    session_id: str | None = None
    token: str | None = None
    company_id: str | None = None
    api_key: str | None = None
    locked_session_id: str | None = None
    foreign_session_id: str | None = None
    no_self_service_token: str | None = None
    no_self_service_session_id: str | None = None
    max_invites: int | None = DEFAULT_MAX_INVITES
    #: Whether the user set ``max_invites`` (else it is the profile's default for a live API).
    max_invites_asked: bool = False
    mock_bugs: tuple[str, ...] = field(default=())
    #: The reading of the contract the embedded mock serves.
    mock_contract: str = "full"
    #: Variables of the table without an attribute of their own (passed on to the suite as is).
    extra: Mapping[str, str] = field(default_factory=dict)

    def value(self, attr: str) -> object:
        """The configured value of a table row, by its attribute name."""
        return getattr(self, attr) if attr in _TYPED else self.extra.get(attr)

    @property
    def embedded(self) -> bool:
        """Whether the run targets the in-process mock (no base URL given)."""
        return self.base_url is None

    @property
    def secrets(self) -> tuple[str | None, ...]:
        """Every value that must never appear in a report or a log."""
        return tuple(_text(self.value(row.attr)) for row in VARIABLES if row.secret)

    def to_env(self) -> dict[str, str]:
        """The ``PREVAIL_*`` variables that describe this target to ``contract_tests``."""
        env: dict[str, str] = {}
        for attr, var in ENV_VARS.items():
            value = self.value(attr)
            if attr == "max_invites" and not self.max_invites_asked:
                continue  # the default is the profile's, worked out again from it
            if value is not None:
                env[var] = str(value)
        if self.mock_bugs:
            env[MOCK_BUGS_VAR] = ",".join(self.mock_bugs)
        if self.mock_contract != "full":
            env[MOCK_CONTRACT_VAR] = self.mock_contract
        return env


_TYPED = frozenset(f.name for f in fields(TargetConfig))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def api_base(base_url: str, spec: Spec) -> str:
    """The API base of a target: ``base_url``, with the spec's base path when it has no path."""
    base = base_url.rstrip("/")
    if urlsplit(base).path in ("", "/"):
        base += spec.base_path
    return base


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines of ``path`` (as ``prevail-contract mock --env-file`` writes them).

    Blank lines and ``#`` comments are skipped, an ``export`` prefix and matching quotes around
    the value are allowed; anything else is a :class:`ConfigError` naming the line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"--env-file: cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"--env-file: {path} is not UTF-8 text") from None
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.removeprefix("export ").partition("=")
        key = key.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise ConfigError(f"--env-file: {path} line {number} is not KEY=value: {raw[:60]!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def from_sources(
    env: Mapping[str, str] | None = None, args: argparse.Namespace | None = None
) -> TargetConfig:
    """Merge flags over environment variables and validate the result.

    Raises :class:`ConfigError` naming the flag and variable of whatever is missing or unusable.
    """
    env = os.environ if env is None else env
    values: dict[str, str | None] = {}
    for attr, var in ENV_VARS.items():
        flag_value = getattr(args, attr, None) if args is not None else None
        values[attr] = _clean(str(flag_value) if flag_value is not None else env.get(var))
    flag_bugs = list(getattr(args, "mock_bug", None) or []) if args is not None else []
    bugs_text = ",".join(flag_bugs) if flag_bugs else _clean(env.get(MOCK_BUGS_VAR))
    bugs = tuple(b.strip() for b in (bugs_text or "").split(",") if b.strip())
    contract = (getattr(args, "mock_contract", None) if args is not None else None) or _clean(
        env.get(MOCK_CONTRACT_VAR)
    )

    profile = getattr(args, "profile", None) or env.get(PROFILE_VAR) or "fast"
    max_invites: int | None = PROFILE_MAX_INVITES.get(profile, DEFAULT_MAX_INVITES)
    raw_cap = values.pop("max_invites")
    if raw_cap is not None:
        try:
            max_invites = int(raw_cap)
        except ValueError:
            raise ConfigError(
                f"--max-invites / PREVAIL_MAX_INVITES must be a whole number, got {raw_cap!r}"
            ) from None
        if max_invites < 0:
            raise ConfigError("--max-invites / PREVAIL_MAX_INVITES must be 0 or more")

    base_url = values["base_url"]
    if base_url is None:
        live_flags = [
            "--" + attr.replace("_", "-")
            for attr in ENV_VARS
            if attr not in ("base_url", "max_invites") and getattr(args, attr, None) is not None
        ]
        if live_flags:
            raise ConfigError(
                f"{', '.join(live_flags)}: flags of a live target, but no --base-url or "
                "PREVAIL_BASE_URL is set (without one the embedded mock is checked)"
            )
        return TargetConfig(
            max_invites=None if raw_cap is None else max_invites,
            max_invites_asked=raw_cap is not None,
            mock_bugs=bugs,
            mock_contract=contract or "full",
        )
    if bugs:
        raise ConfigError("planted mock bugs (PREVAIL_MOCK_BUGS) only apply to the embedded mock")
    if contract not in (None, "full"):
        raise ConfigError(
            "the mock's reading of the contract (PREVAIL_MOCK_CONTRACT) only applies to the "
            "embedded mock"
        )
    parts = urlsplit(base_url)
    if parts.username is not None or parts.password is not None:
        raise ConfigError(
            f"--base-url / PREVAIL_BASE_URL must not carry credentials, got "
            f"{mask_url_password(base_url)!r}: remove 'user:password@' and pass the token "
            "with --token / PREVAIL_TOKEN (or --company-id and --api-key)"
        )
    if parts.query or parts.fragment:
        raise ConfigError(
            f"--base-url / PREVAIL_BASE_URL must not carry a query or fragment, got "
            f"{mask_url_query(base_url)!r}: give the API base only (e.g. "
            "https://staging.example.test/api/v1) and the token with --token / PREVAIL_TOKEN"
        )
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"--base-url / PREVAIL_BASE_URL must be an http(s) URL such as "
            f"https://staging.example.test/api/v1, got {base_url!r}"
        )
    missing = [
        f"{row.name} ({row.flag})"
        for row in VARIABLES
        if row.required == "yes" and row.attr != "base_url" and values[row.attr] is None
    ]
    missing += _missing_credentials(values)
    if missing:
        raise ConfigError("live target " + base_url + " needs " + "; ".join(missing))
    state_sessions(values.get("locked_session_ids"))  # a malformed list stops the run here
    fresh_sessions(values.get("fresh_session_ids"))
    disposable = disposable_sessions(values.get("disposable_session_ids"))
    if values["session_id"] in disposable:
        raise ConfigError(
            f"{ENV_VARS['disposable_session_ids']} names {values['session_id']}, the "
            f"{ENV_VARS['session_id']} the run edits: list only Sessions the run may cancel"
        )
    mock_admin_url(values.get("mock_admin_url"), base_url)
    for attr in (row.attr for row in VARIABLES if row.kind == "session-id"):
        value = values[attr]
        problem = None if value is None else session_id_problem(load_spec(), value)
        if problem is not None:
            raise ConfigError(
                f"{ENV_VARS[attr]} must be a session id the spec allows "
                f"(RemoteSessionId), got {value!r}: {problem}"
            )
    return TargetConfig(
        extra={a: v for a, v in values.items() if a not in _TYPED and v is not None},
        base_url=base_url.rstrip("/"),
        session_id=values["session_id"],
        token=values["token"],
        company_id=values["company_id"],
        api_key=values["api_key"],
        locked_session_id=values["locked_session_id"],
        foreign_session_id=values["foreign_session_id"],
        no_self_service_token=values["no_self_service_token"],
        no_self_service_session_id=values["no_self_service_session_id"],
        max_invites=max_invites,
        max_invites_asked=raw_cap is not None,
        mock_bugs=(),
    )


def _missing_credentials(values: Mapping[str, str | None]) -> list[str]:
    """A token, or every other credential row together (the table's ``credentials`` rows)."""
    rows = [r for r in VARIABLES if r.required == "credentials"]
    if any(values[r.attr] is not None for r in rows if r.kind == "token"):
        return []
    keys = [r for r in rows if r.kind != "token"]
    given = [r for r in keys if values[r.attr] is not None]
    if len(given) == len(keys):
        return []
    if given:
        return [" and ".join(r.name for r in keys) + " must be given together"]
    flags = ", ".join(r.flag for r in rows)
    return [f"credentials: {credentials_text(_table()).replace('`', '')} ({flags})"]


def state_sessions(text: str | None) -> dict[str, str]:
    """``PREVAIL_LOCKED_SESSION_IDS`` (``state:id,state:id``) as state -> session id."""
    out: dict[str, str] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        state, sep, sid = item.strip().partition(":")
        problem = session_id_problem(load_spec(), sid) if sep and state else "no state:id pair"
        if problem is not None:
            raise ConfigError(
                f"PREVAIL_LOCKED_SESSION_IDS must be state:session-id pairs separated by commas "
                f"(e.g. active:abc123,canceled:def456), with ids the spec allows; got "
                f"{item.strip()!r} ({problem})"
            )
        out[state] = sid
    return out


def fresh_sessions(text: str | None) -> list[str]:
    """``PREVAIL_FRESH_SESSION_IDS`` (``id,id``) as a list of Session ids, in order."""
    return _session_list("fresh_session_ids", text)


def disposable_sessions(text: str | None) -> list[str]:
    """``PREVAIL_DISPOSABLE_SESSION_IDS`` (``id,id``) as a list of Session ids, in order: the
    only real Sessions a run may cancel."""
    return _session_list("disposable_session_ids", text)


def _session_list(attr: str, text: str | None) -> list[str]:
    out: list[str] = []
    for item in (text or "").split(","):
        sid = item.strip()
        if not sid:
            continue
        problem = session_id_problem(load_spec(), sid)
        if problem is not None:
            raise ConfigError(
                f"{ENV_VARS[attr]} must be Session ids separated by commas, each "
                f"one the spec allows (RemoteSessionId); got {sid!r} ({problem})"
            )
        if sid not in out:
            out.append(sid)
    return out


def mock_admin_url(url: str | None, base_url: str) -> str | None:
    """``PREVAIL_MOCK_ADMIN_URL``, which must be on the same origin as ``base_url``: the admin
    API of the mock the run checks, never of another server."""
    if url is None:
        return None
    admin, base = urlsplit(url), urlsplit(base_url)
    same = (admin.scheme, admin.netloc.lower()) == (base.scheme, base.netloc.lower())
    if admin.scheme not in ("http", "https") or admin.query or admin.fragment or not same:
        raise ConfigError(
            f"{ENV_VARS['mock_admin_url']} must be the admin API of the mock served at "
            f"{ENV_VARS['base_url']} (same scheme, host and port, e.g. "
            f"{base.scheme}://{base.netloc}/__mock__), got {mask_url_query(url)!r}; "
            "never set it for a real server"
        )
    return url.rstrip("/")
