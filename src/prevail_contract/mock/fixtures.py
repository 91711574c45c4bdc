"""Read the mock's fixtures file (organizations, Sessions, targets), checked against the spec.

Messages name the place in the document and the problem, and show values from it only cut
short (``fixture_document.shown``): a document may be hostile (a posted sandbox's).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from prevail_contract.errors import ConfigError
from prevail_contract.mock import ecma
from prevail_contract.mock.facts import access_levels, editable_states
from prevail_contract.mock.fixture_document import cut, shown
from prevail_contract.spec import Spec, yaml_values

#: The fixtures shipped with the package.
DEFAULT_FIXTURES = Path(__file__).with_name("fixtures.yaml")
#: RFC 7518 section 3.2: an HS256 key must have at least 256 bits.
MIN_KEY_BYTES = 32


@dataclass(frozen=True)
class Organization:
    """An Organization: its Company ID, signing key, Self-Service flag and registered members."""

    slug: str
    api_key: str
    self_service: bool
    #: Registered members' emails, case-folded.
    members: frozenset[str]

    def is_member(self, email: str) -> bool:
        """Whether ``email`` (any letter case) belongs to a registered member."""
        return email.casefold() in self.members


@dataclass(frozen=True)
class Invitee:
    """One invited person and the access level they were granted."""

    email: str
    access_level: str


@dataclass(frozen=True)
class StoredSession:
    """A Session as the mock stores it; replaced as a whole on every change, never mutated."""

    remote_session_id: str
    organization: str
    #: The Session fields other than ``remote_session_id`` and ``invites``.
    fields: Mapping[str, Any]
    invitees: tuple[Invitee, ...]

    @property
    def state(self) -> str:
        return str(self.fields.get("state", ""))

    def session(self, order: tuple[str, ...] = ()) -> dict[str, Any]:
        """The public ``Session`` object, keys in ``order`` (the schema's) where known."""
        # Shallow: stored values are never mutated (every change builds a new StoredSession).
        values: dict[str, Any] = {"remote_session_id": self.remote_session_id}
        values.update(self.fields)
        values["invites"] = [i.email for i in self.invitees]
        ordered = {k: values[k] for k in order if k in values}
        ordered.update({k: v for k, v in values.items() if k not in ordered})
        return ordered

    def stored(self, order: tuple[str, ...] = ()) -> dict[str, Any]:
        """The full stored state: the Session plus ``organization`` and each invitee's level."""
        out = self.session(order)
        out["organization"] = self.organization
        out["invitees"] = [
            {"email": i.email, "access_level": i.access_level} for i in self.invitees
        ]
        return out


@dataclass(frozen=True)
class Targets:
    """What the ``PREVAIL_*`` variables point at."""

    organization: str
    session: str
    locked_session: str
    foreign_session: str
    no_self_service_organization: str
    #: Sessions of the Organization a run may cancel (``PREVAIL_DISPOSABLE_SESSION_IDS``);
    #: optional in the document.
    disposable_sessions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fixtures:
    """The parsed, checked fixtures file."""

    path: Path
    organizations: Mapping[str, Organization]
    sessions: tuple[StoredSession, ...]
    targets: Targets


def load_fixtures(spec: Spec, path: Path | None = None) -> Fixtures:
    """Parse ``path`` (default: the shipped file); a ``ConfigError`` names each problem."""
    source = path or DEFAULT_FIXTURES
    try:
        version = source.stat()
        raw = copy.deepcopy(_parsed(str(source), version.st_mtime_ns, version.st_size))
    except OSError as exc:
        raise ConfigError(f"cannot read fixtures file {source}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        problem = yaml_values.not_utf8(exc)
        raise ConfigError(f"fixtures file {source} is not UTF-8 text: {problem}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or " ".join(str(exc).split())
        raise ConfigError(f"fixtures file {source} is not valid YAML: {problem}{at}") from exc
    return fixtures_from(spec, raw, source)


@functools.lru_cache(maxsize=8)
def _parsed(path: str, mtime_ns: int, size: int) -> Any:
    """A fixtures file's document, parsed once per version of the file: every mock app and
    sandbox reads it, and parsing was most of the cost of making one."""
    return yaml_values.load(Path(path).read_text(encoding="utf-8"))


def fixtures_from(spec: Spec, raw: Any, source: Path) -> Fixtures:
    """Check a parsed fixtures document; ``source`` names it in messages."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"fixtures file {source}: expected a mapping with organizations, ...")
    where = str(source)
    orgs = _organizations(raw.get("organizations"), where)
    sessions = _sessions(spec, raw.get("sessions"), orgs, where)
    targets = _targets(raw.get("targets"), orgs, sessions, where, editable_states(spec))
    return Fixtures(source, orgs, sessions, targets)


def _organizations(raw: Any, where: str) -> dict[str, Organization]:
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{where}: 'organizations' must be a non-empty list")
    orgs: dict[str, Organization] = {}
    for index, item in enumerate(raw):
        at = f"{where}: organizations[{index}]"
        if not isinstance(item, Mapping):
            raise ConfigError(f"{at} must be a mapping")
        _only(item, {"slug", "api_key", "self_service", "members"}, at)
        slug, key = item.get("slug"), item.get("api_key")
        if not isinstance(slug, str) or not slug:
            raise ConfigError(f"{at}: 'slug' must be a non-empty string")
        if slug in orgs:
            raise ConfigError(f"{at}: duplicate slug {shown(slug)}")
        if not isinstance(key, str) or len(key.encode()) < MIN_KEY_BYTES:
            raise ConfigError(
                f"{at}: 'api_key' must be a string of at least {MIN_KEY_BYTES} bytes "
                "(an HS256 key needs 256 bits)"
            )
        self_service = item.get("self_service", False)
        if not isinstance(self_service, bool):
            raise ConfigError(f"{at}: 'self_service' must be true or false")
        members = item.get("members") or []
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise ConfigError(f"{at}: 'members' must be a list of emails")
        orgs[slug] = Organization(slug, key, self_service, frozenset(m.casefold() for m in members))
    return orgs


def _sessions(
    spec: Spec, raw: Any, orgs: Mapping[str, Organization], where: str
) -> tuple[StoredSession, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: 'sessions' must be a list")
    out: dict[str, StoredSession] = {}
    for index, item in enumerate(raw):
        at = f"{where}: sessions[{index}]"
        if not isinstance(item, Mapping):
            raise ConfigError(f"{at} must be a mapping")
        values = dict(item)
        example = values.pop("from_example", None)
        if example is not None:
            base = example_session(spec, str(example), at)
            if "invites" in values or "invitees" in values:
                base.pop("invites", None)  # the fixture's own list replaces the example's
            values = {**base, **values}
        session = build_session(spec, values, orgs, at)
        if session.remote_session_id in out:
            raise ConfigError(
                f"{at}: duplicate remote_session_id {shown(session.remote_session_id)}"
            )
        out[session.remote_session_id] = session
    return tuple(out.values())


def example_session(spec: Spec, name: str, at: str) -> dict[str, Any]:
    """The first Session of the spec example ``name`` (an ``EditSessionResponse`` value)."""
    try:
        value = spec.example(name).value
        session = value["sessions"][0] if "sessions" in value else value
    except Exception as exc:
        raise ConfigError(
            f"{at}: from_example {shown(name)} is not a Session example: {cut(str(exc), 200)}"
        ) from exc
    return dict(copy.deepcopy(session))


def build_session(
    spec: Spec, values: Mapping[str, Any], orgs: Mapping[str, Organization], at: str
) -> StoredSession:
    """A ``StoredSession`` from fixture-style values, checked against the spec's ``Session``."""
    values = dict(values)
    org = values.pop("organization", None)
    if not isinstance(org, str) or org not in orgs:
        known = cut(", ".join(orgs), 300)
        raise ConfigError(f"{at}: 'organization' must be one of the organizations ({known})")
    levels, default = access_levels(spec)
    invitees: list[Invitee] = []
    seen: set[str] = set()
    raw_invites = values.pop("invites", None) or []
    raw_invitees = values.pop("invitees", None) or []
    if not isinstance(raw_invites, list) or not isinstance(raw_invitees, list):
        raise ConfigError(f"{at}: 'invites' and 'invitees' must be lists")
    for index, entry in enumerate([*raw_invitees, *raw_invites]):
        if isinstance(entry, str):
            email, level = entry, default
        elif isinstance(entry, Mapping) and isinstance(entry.get("email"), str):
            email, level = entry["email"], entry.get("access_level", default)
        else:
            raise ConfigError(
                f"{at}: invitee {index} ({shown(entry)}) must be an email or "
                "{email, access_level}"
            )
        if level not in levels:
            raise ConfigError(f"{at}: access_level of {shown(email)} must be {' or '.join(levels)}")
        if email.casefold() not in seen:
            seen.add(email.casefold())
            invitees.append(Invitee(email, level))
    session_fields = set(spec.document["components"]["schemas"]["Session"]["properties"])
    _only(values, session_fields - {"invites"}, at)
    session_id = values.pop("remote_session_id", None)
    id_schema = spec.document["components"]["parameters"]["RemoteSessionId"]["schema"]
    if not isinstance(session_id, str) or not ecma.validator(id_schema).is_valid(session_id):
        raise ConfigError(
            f"{at}: 'remote_session_id' must be a string matching the spec's RemoteSessionId "
            f"({id_schema.get('pattern')}, at most {id_schema.get('maxLength')} characters)"
        )
    session = StoredSession(session_id, org, values, tuple(invitees))
    errors = sorted(
        spec.validator("Session").iter_errors(session.session()), key=lambda e: list(e.path)
    )
    if errors:
        problems = "; ".join(
            f"{cut('.'.join(str(p) for p in e.absolute_path), 80) or '(session)'}: "
            f"{cut(e.message, 120)}"
            for e in errors[:5]
        )
        raise ConfigError(f"{at} does not match the spec's Session schema: {problems}")
    return session


def _targets(
    raw: Any,
    orgs: Mapping[str, Organization],
    sessions: tuple[StoredSession, ...],
    where: str,
    editable: tuple[str, ...],
) -> Targets:
    names = (
        "organization",
        "session",
        "locked_session",
        "foreign_session",
        "no_self_service_organization",
    )
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: 'targets' must be a mapping with {', '.join(names)}")
    _only(raw, {*names, "disposable_sessions"}, f"{where}: targets")
    missing = [n for n in names if not isinstance(raw.get(n), str)]
    if missing:
        raise ConfigError(f"{where}: targets lacks {', '.join(missing)}")
    disposable = raw.get("disposable_sessions") or []
    if not isinstance(disposable, list) or not all(isinstance(d, str) for d in disposable):
        raise ConfigError(f"{where}: targets.disposable_sessions must be a list of Session ids")
    targets = Targets(**{n: str(raw[n]) for n in names}, disposable_sessions=tuple(disposable))
    by_id = {s.remote_session_id: s for s in sessions}
    at = f"{where}: targets"
    states = " or ".join(editable)

    def need(condition: bool, text: str) -> None:
        if not condition:
            raise ConfigError(f"{at}: {text}")

    for sid in targets.disposable_sessions:
        mine = by_id.get(sid)
        need(
            mine is not None
            and mine.organization == targets.organization
            and sid != targets.session,
            f"disposable_sessions: {shown(sid)} is not another Session of the Organization",
        )
    org = orgs.get(targets.organization)
    need(org is not None and org.self_service, "'organization' must have self_service: true")
    own = by_id.get(targets.session)
    need(
        own is not None and own.organization == targets.organization and own.state in editable,
        f"'session' must be a {states} Session of 'organization'",
    )
    locked = by_id.get(targets.locked_session)
    need(
        locked is not None
        and locked.organization == targets.organization
        and locked.state not in editable,
        "'locked_session' must be a Session of 'organization' in a non-editable state",
    )
    foreign = by_id.get(targets.foreign_session)
    need(
        foreign is not None and foreign.organization != targets.organization,
        "'foreign_session' must belong to another organization",
    )
    other = orgs.get(targets.no_self_service_organization)
    need(
        other is not None and not other.self_service,
        "'no_self_service_organization' must have self_service: false",
    )
    need(
        any(
            s.organization == targets.no_self_service_organization and s.state in editable
            for s in sessions
        ),
        f"'no_self_service_organization' must own a {states} Session",
    )
    return targets


def _only(item: Mapping[str, Any], allowed: set[str], at: str) -> None:
    unknown = sorted((k for k in item if k not in allowed), key=str)
    if unknown:
        named = ", ".join(shown(k) for k in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise ConfigError(f"{at}: unknown keys {named}{more}; accepted: {sorted(allowed)}")
