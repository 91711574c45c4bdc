"""Reads around refused requests (rule ``rejected-changes-nothing``), live as on the mock: the
Sessions a batch of refusals named or could have touched are read before and after, and any
change fails the rule, the finding quoting both reads.

One read covers many Sessions: ``GET /sessions`` with the run's token lists every Session of the
Organization, so a Session that appears (an absent id a ``PUT`` created), goes, or changes
without being named is seen too; with another Organization's token (the no-Self-Service one) it
lists that Organization's. A Session no token of the run can list (another Organization's) is
read through the mock's admin API when the run has one, else the rule gets a note. Without the
list the run's own Session is read the old way (:meth:`Target.snapshot`), comparing only what
the refused requests sent, since that read is itself an edit.

The requests of a batch should carry distinct values (titles): a changed value then names the
request that leaked it. An accepted request in a batch is its own rule's failure; the Session it
named is left out of the comparison.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from contract_tests.support.expect import changed_fields
from contract_tests.support.list_reads import ReadCutError
from contract_tests.support.target import DEFAULT, Target
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.runtime.safety import invite_names
from prevail_contract.runtime.verdict import Verdicts
from prevail_contract.spec import load_spec

RULE = "rejected-changes-nothing"
#: The request body's envelope member (the spec's).
#: Admin-only parts of a Session the mock's admin API shows (not Session fields).
ADMIN_ONLY = ("organization", "invitees")
#: Characters of a value quoted in a finding.
SHOWN = 80

Reading = dict[str, dict[str, Any]]


@dataclass
class _Probe:
    exchange: Exchange
    what: str
    #: Also filed when the request's own value took effect (the rule it was refused under).
    rule: str | None


@dataclass
class _View:
    """One way of reading: a token's listing, the mock's admin API, or the edit-read."""

    kind: str  # "list", "admin", "edit", or "named" (a list too long to read whole)
    how: str
    token: Any = DEFAULT
    ids: tuple[str, ...] = ()
    before: Reading | None = None


@dataclass
class RefusalWatch:
    """Reads taken before a batch of refused requests, compared with reads taken after."""

    target: Target
    #: The kind of refusal (``auth``, ``state``, ``method`` ...), for the findings and notes.
    kind: str
    views: list[_View] = field(default_factory=list)
    probes: list[_Probe] = field(default_factory=list)

    def own(self, *ids: str) -> RefusalWatch:
        """Watch the run's Organization: every Session it lists, ``ids`` among them."""
        target = self.target
        if target.reads_by_list:
            self.views.append(_View("list", "GET /sessions", DEFAULT, ids))
            return self
        mine = tuple(i for i in ids if i == target.session_id)
        if mine:
            self.views.append(_View("edit", "an edit re-sending a current value", ids=mine))
        others = [i for i in ids if i != target.session_id]
        return self.stored(*others, why="the target has no GET /sessions") if others else self

    def listed_as(self, token: str, label: str, *ids: str) -> RefusalWatch:
        """Watch another Organization's Sessions, listed with its ``token``."""
        if self.target.reads_by_list:
            self.views.append(_View("list", f"GET /sessions as {label}", token, ids))
            return self
        return self.stored(*ids, why="the target has no GET /sessions")

    def stored(self, *ids: str, why: str) -> RefusalWatch:
        """Watch Sessions no listing of the run shows: the mock's admin API, else a note."""
        if self.target.admin is not None:
            self.views.append(_View("admin", "the mock's admin API", None, ids))
        else:
            self.target.note(
                RULE,
                f"{self.kind} refusals: {', '.join(ids)} not read before and after ({why})",
            )
        return self

    def start(self) -> RefusalWatch:
        """Take the reads before."""
        for view in self.views:
            view.before = self._read(view, set())
        return self

    def add(self, ex: Exchange, what: str, *, rule: str | None = None) -> Exchange:
        """Count ``ex`` in the batch (``rule``: also filed when its own value took effect)."""
        if not ex.accepted:
            ex.checked.add(RULE)
        self.probes.append(_Probe(ex, what, rule))
        return ex

    def check(self, v: Verdicts) -> None:
        """Take the reads after and file every change the refused requests made."""
        refused = [p for p in self.probes if not p.exchange.accepted]
        if not refused:
            return
        touched = {_named(p.exchange) for p in self.probes if p.exchange.accepted}
        sent = set().union(*(_sent_names(p.exchange) for p in refused))
        for view in self.views:
            if view.before is None:
                continue
            after = self._read(view, sent)
            if after is None:
                continue
            for sid, change, value in _changes(view, view.before, after, sent):
                if sid in touched:
                    continue
                probe, alone = _culprit(refused, sid, value)
                batch = "" if alone else f"; one of {len(refused)} refused requests"
                v.fail(
                    RULE,
                    f"{probe.what}: refused with {probe.exchange.status}, but Session {sid} "
                    f"{change} (read through {view.how} before and after{batch})",
                    probe.exchange,
                )
                field_name = value[0] if value else None
                if probe.rule and field_name and _sent_value(probe.exchange, field_name, value):
                    v.fail(
                        probe.rule,
                        f"{probe.what}: refused, but applied {field_name}",
                        probe.exchange,
                    )

    def _read(self, view: _View, avoid: set[str]) -> Reading | None:
        target = self.target
        purpose = f"read around {self.kind} refusals"
        if view.kind == "list":
            listed = target.list_whole(token=view.token, purpose=purpose)
            if isinstance(listed, ReadCutError):
                # too long to read whole within a read's budgets: the named Sessions one by one
                # (each found in a window around its start); a Session that appears is not seen
                target.note(
                    RULE,
                    f"{self.kind} refusals: {view.how} is too long to read whole ({listed}); "
                    "the Sessions the refused requests named were read one by one",
                )
                view.kind = "named"
                return self._read(view, avoid)
            if listed is None:
                target.note(RULE, f"{self.kind} refusals: {view.how} could not be read")
                return None
            return {
                str(s["remote_session_id"]): s
                for s in listed[0]
                if isinstance(s.get("remote_session_id"), str)
            }
        if view.kind == "admin":
            assert target.admin is not None
            out: Reading = {}
            for sid in view.ids:
                stored = target.admin.session(sid)
                if stored is not None:
                    out[sid] = {k: v for k, v in stored.items() if k not in ADMIN_ONLY}
            return out
        read: Reading = {}
        if view.kind == "named":
            unseen = [sid for sid in view.ids if not target.has_seen(sid)]
            if unseen:
                target.note(
                    RULE,
                    f"{self.kind} refusals: {', '.join(unseen)} not read before and after (never "
                    "listed, and the list is too long to show that it is still absent)",
                )
            for sid in (i for i in view.ids if i not in unseen):
                session = target.snapshot(sid, token=view.token)
                if session is not None:
                    read[sid] = session
            return read
        for sid in view.ids:
            session = target.snapshot(sid, avoid=avoid, rule=RULE)
            if session is not None:
                read[sid] = session
        return read


def _changes(
    view: _View, before: Reading, after: Reading, sent: set[str]
) -> list[tuple[str, str, tuple[str, Any] | None]]:
    """(id, what changed, (field, new value) or None) for each difference of two reads."""
    out: list[tuple[str, str, tuple[str, Any] | None]] = []
    for sid in sorted(set(before) | set(after)):
        old, new = before.get(sid), after.get(sid)
        if old is None or new is None:
            if view.kind == "list":
                gone = "appeared in the list" if old is None else "is no longer listed"
                out.append((sid, gone, None))
            continue
        names = changed_fields(old, new)
        if view.kind != "edit" and old.get("state") != new.get("state"):
            names.append("state")
        if view.kind == "edit":
            # the edit-read writes: only what the refused requests sent is the refusal's doing
            names = [n for n in names if n in sent | {"invites"}]
        for name in names:
            text = f"{name} changed from {_shown(old.get(name))} to {_shown(new.get(name))}"
            out.append((sid, text, (name, new.get(name))))
    return out


def _culprit(refused: list[_Probe], sid: str, value: tuple[str, Any] | None) -> tuple[_Probe, bool]:
    """The refused request that made a change, and whether it alone could have: the last one
    that sent the new value (naming the Session first), else the last one naming the Session,
    else the last one."""
    naming = [p for p in refused if _named(p.exchange) == sid]
    if value is not None:
        for pool in (naming, refused):
            senders = [p for p in pool if _sent_value(p.exchange, value[0], value)]
            if senders:
                return senders[-1], len(senders) == 1
    if naming:
        return naming[-1], len(naming) == 1
    return refused[-1], len(refused) == 1


def _sent_value(ex: Exchange, name: str, value: tuple[str, Any] | None) -> bool:
    """Whether ``ex`` sent ``name`` with the value the Session now holds."""
    edit = _edit_of(ex)
    return value is not None and name in edit and edit[name] == value[1]


def _edit_of(ex: Exchange) -> dict[str, Any]:
    body = ex.request_json()
    envelope = invite_names(load_spec()).envelope
    inner = body.get(envelope) if isinstance(body, dict) else None
    return inner if isinstance(inner, dict) else {}


def _sent_names(ex: Exchange) -> set[str]:
    """Field names a request carried, at the top level and inside ``remote_session``."""
    body = ex.request_json()
    return (set(body) if isinstance(body, dict) else set()) | set(_edit_of(ex))


def _named(ex: Exchange) -> str:
    """The Session id a request's path names (its last segment)."""
    return unquote(urlsplit(ex.url).path.rstrip("/").rsplit("/", 1)[-1])


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= SHOWN else text[: SHOWN - 3] + "..."
