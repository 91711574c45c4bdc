"""``check --baseline FILE``: the known failures and accepted ``not_run`` rules a run forgives.

A baseline is either a previous ``conformance.json`` (its ``failed`` rules are known failures,
its ``not_run`` rules accepted as not run) or a small reviewed file, YAML or JSON::

    known:
      - rule: field-formats
        reason: staging's email check is looser than the assumed grammar (PREV-1234)
        expires: 2026-06-30        # optional: from the next day on it excuses nothing
        status: failed             # optional: failed or not_run (default: either)

The whole file is checked before any work: an unknown rule id, a missing reason, a bad date or
an unknown key is a configuration error naming its place (exit 2).
"""

from __future__ import annotations

import datetime as dt
import json
import reprlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from prevail_contract.errors import ConfigError
from prevail_contract.spec import yaml_values

#: A reviewed baseline is a short file; anything larger is not one.
MAX_BASELINE_BYTES = 1024 * 1024
#: The statuses an entry may excuse.
STATUSES = ("failed", "not_run")
_ENTRY_KEYS = {"rule", "reason", "expires", "status"}
#: Values from the file shown in messages: bounded, even for aliases nested deep.
_SHOWN = reprlib.Repr()  # (Python 3.11's takes no keyword arguments)
_SHOWN.maxlevel, _SHOWN.maxlist, _SHOWN.maxdict = 2, 4, 4
_SHOWN.maxstring = _SHOWN.maxother = 60


@dataclass(frozen=True)
class Entry:
    """One rule the baseline forgives."""

    rule: str
    reason: str
    #: Last day the entry excuses (``None``: no expiry).
    expires: dt.date | None = None
    #: The status it excuses (``None``: ``failed`` or ``not_run``).
    status: str | None = None

    def expired(self, today: dt.date) -> bool:
        """Whether ``today`` is past the entry's last day."""
        return self.expires is not None and today > self.expires

    def covers(self, status: str) -> bool:
        """Whether the entry is about a rule ending in ``status``."""
        return self.status is None or self.status == status


@dataclass(frozen=True)
class Baseline:
    """The entries of one baseline file, by rule id."""

    source: Path
    entries: Mapping[str, Entry]

    def entry(self, rule: str) -> Entry | None:
        """The entry of ``rule``, if the baseline has one."""
        return self.entries.get(rule)


def load_baseline(path: Path, catalogue: Iterable[str]) -> Baseline:
    """Read and check ``path`` against the rule ids of the catalogue."""
    where = f"--baseline {path}"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read it ({exc.strerror or exc})") from None
    if len(raw) > MAX_BASELINE_BYTES:
        raise ConfigError(f"{where}: over {MAX_BASELINE_BYTES} bytes, not a baseline")
    document = _parse(raw, path, where)
    known = set(catalogue)
    if isinstance(document, dict) and isinstance(document.get("rules"), list):
        entries = _from_report(document["rules"], where, known)
    elif isinstance(document, dict) and "known" in document:
        extra = sorted(str(k) for k in document if k != "known")
        if extra:
            raise ConfigError(f"{where}: unknown top-level keys {extra}; a baseline has 'known'")
        entries = _from_reviewed(document["known"], where, known)
    else:
        raise ConfigError(
            f"{where}: neither a conformance.json (with 'rules') nor a reviewed baseline "
            "(with 'known': a list of {rule, reason, expires?, status?})"
        )
    return Baseline(path, entries)


def _parse(raw: bytes, path: Path, where: str) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: not UTF-8 text") from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise ConfigError(f"{where}: not valid JSON ({exc})") from None
    try:  # dates stay text: `_date` checks them and names the entry of a bad one
        return yaml_values.load(text, yaml_values.TextDatesLoader)
    except RecursionError:
        raise ConfigError(f"{where}: not valid YAML (nested too deeply)") from None
    except yaml.YAMLError as exc:
        problem = " ".join(str(exc).split())[:200]
        raise ConfigError(f"{where}: not valid YAML ({problem})") from None


def _rule_id(value: Any, at: str, known: set[str]) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{at}: 'rule' must be a rule id of the catalogue")
    if value not in known:
        raise ConfigError(
            f"{at}: unknown rule id {_SHOWN.repr(value)} (`prevail-contract lint` lists them)"
        )
    return value


def _from_report(rules: list[Any], where: str, known: set[str]) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for index, item in enumerate(rules):
        at = f"{where}: rules[{index}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{at} is not an object")
        rule = _rule_id(item.get("id"), at, known)
        status = item.get("status")
        if status in STATUSES:
            entries[rule] = Entry(rule, f"{status} in the baseline run", status=str(status))
    return entries


def _from_reviewed(items: Any, where: str, known: set[str]) -> dict[str, Entry]:
    if not isinstance(items, list):
        raise ConfigError(f"{where}: 'known' must be a list of {{rule, reason, expires?}}")
    entries: dict[str, Entry] = {}
    for index, item in enumerate(items):
        at = f"{where}: known[{index}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{at} must be a mapping with rule and reason")
        unknown = sorted(str(k) for k in item if k not in _ENTRY_KEYS)
        if unknown:
            raise ConfigError(f"{at}: unknown keys {unknown}; accepted: {sorted(_ENTRY_KEYS)}")
        rule = _rule_id(item.get("rule"), at, known)
        if rule in entries:
            raise ConfigError(f"{at}: {rule} is listed twice")
        reason = item.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f"{at} ({rule}): 'reason' must say why the rule is accepted")
        status = item.get("status")
        if status is not None and status not in STATUSES:
            raise ConfigError(f"{at} ({rule}): 'status' must be one of {', '.join(STATUSES)}")
        entries[rule] = Entry(
            rule, reason.strip(), _date(item.get("expires"), f"{at} ({rule})"), status
        )
    return entries


def _date(value: Any, at: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    why = ""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            why = "" if "isoformat" in str(exc) else f" ({exc})"
        try:  # a YAML timestamp, `2026-06-30T09:00:00Z`: its day
            return dt.datetime.fromisoformat(value.strip()).date()
        except ValueError:
            pass
    raise ConfigError(
        f"{at}: 'expires' must be a date such as 2026-06-30 (YYYY-MM-DD), got "
        f"{_SHOWN.repr(value)}{why}"
    )
