"""Repro scripts: each listed failure's setup and exchanges, replayable without the kit.

When a test files a finding, the exchanges of that test around the one that showed it (up to
:data:`BEFORE` before it, the reads that follow up to :data:`AFTER`) become a *case*: every
request with its tokens turned into recipes (a configured token or key is named by its
``PREVAIL_*`` variable, a forged token is made again with the same claims and the same distance
of ``exp`` from the sending) and every answer as the failing run saw it. Against the embedded
mock a case also rebuilds the mock's state: from its fixtures (reset, then the run's earlier
writes and the Sessions it created, when there were at most :data:`MAX_PREFIX` of them and
none was sent while another was in flight), or else as a sandbox holding the Sessions the mock
held then; and it ends by reading, through the
admin API, each Session the case addressed, to compare with what the mock held after. A
planted bug that changes a refused Session therefore shows even though the suite saw it
through the admin API. The runner's :mod:`~prevail_contract.check.repro_writer` writes one script
per case under ``DIR/repro/``: the runner of :mod:`~prevail_contract.runtime.repro_script` with
the case in front.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote

import jwt

from prevail_contract.runtime import repro_script
from prevail_contract.runtime.exchange import Exchange, json_or_none

#: Exchanges of the test a case replays up to the one that showed the failure (included),
#: and after it (the reads that show a change).
BEFORE, AFTER = 30, 10
#: Earlier writes of the run a case replays to rebuild the embedded mock's state from its
#: fixtures; past this, the case starts from a sandbox holding that state instead.
MAX_PREFIX = 300
#: Methods that never change anything (not replayed as earlier writes).
READS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Cases kept per rule (the first failures with distinct summaries), and per run.
MAX_CASES_PER_RULE = 5
MAX_CASES_PER_RUN = 60
#: Bodies up to this size are kept as text; longer ones are compressed.
INLINE_BODY = 4096
#: Answer bodies compared as text up to this size; longer ones by their SHA-256.
COMPARED_TEXT = 4096
#: Request headers that may carry a token.
_TOKEN_QUERY = re.compile(r"([?&]jwt_payload=)([^&#]*)")
OPEN, CLOSE = repro_script.OPEN, repro_script.CLOSE


class WorldAccess(Protocol):
    """The embedded mock's world, as the suite's ``mock_admin.World`` gives it."""

    fixture_ids: frozenset[str]
    organizations: tuple[str, ...]

    def snapshot(self) -> Any:
        """The Sessions the mock holds now (what ``Exchange.world`` holds)."""

    def entries(self, snapshot: Any, skip: set[str] | None = None) -> list[dict[str, Any]]:
        """The stored form of each Session of a snapshot (except the ids in ``skip``)."""

    def document(self, snapshots: list[Any]) -> dict[str, Any] | None:
        """A sandbox fixtures document holding the Sessions of the snapshots."""


@dataclass(frozen=True)
class ReproContext:
    """What a run's repro cases need to know about its target."""

    api_base: str
    base_path: str
    #: Secret or configured values -> the ``PREVAIL_*`` variable that holds them.
    variables: Mapping[str, str]
    api_key: str | None = None
    company_id: str | None = None
    #: The embedded mock's world; ``None`` against a live server.
    world: WorldAccess | None = None
    #: Planted bugs of the embedded mock (the mock to serve for the script).
    bugs: tuple[str, ...] = ()


@dataclass
class Writes:
    """The run's first writes (the prefix a case replays), kept while there are few."""

    kept: list[Exchange]
    #: The ``seq`` of the first write not kept (``None``: every write so far is kept): past
    #: :data:`MAX_PREFIX` writes, or at the first write in flight together with another one
    #: (the order the target applied them in is unknown, so replaying them one after the
    #: other may not rebuild its state: the case starts from a sandbox instead).
    overflow_at: int | None = None

    def before(self, seq: int) -> list[Exchange] | None:
        """The writes sent before ``seq``, or ``None`` when some were not kept."""
        if self.overflow_at is not None and self.overflow_at < seq:
            return None
        return [w for w in self.kept if w.seq < seq]

    def add(self, exchange: Exchange) -> None:
        """Keep one write of the run (its answer's body is not needed)."""
        if exchange.method in READS or self.overflow_at is not None:
            return
        if len(self.kept) >= MAX_PREFIX or any(_together(w, exchange) for w in self.kept):
            self.overflow_at = exchange.seq
            return
        self.kept.append(exchange)


def _together(one: Exchange, other: Exchange) -> bool:
    """Whether two writes were in flight at the same time (each sent before the other's
    answer arrived)."""
    if not one.sent_at or not other.sent_at:
        return False
    return one.sent_at < other.sent_at + other.elapsed and other.sent_at < one.sent_at + one.elapsed


def _stored_body(data: bytes | None) -> dict[str, str] | None:
    if data is None:
        return None
    if len(data) <= INLINE_BODY:
        try:
            return {"text": data.decode("utf-8")}
        except UnicodeDecodeError:
            pass
    return {"zlib_b64": base64.b64encode(zlib.compress(data, 9)).decode("ascii")}


def _answer(exchange: Exchange) -> dict[str, Any]:
    headers = {k.lower(): v for k, v in exchange.response_headers.items()}
    out: dict[str, Any] = {
        "status": exchange.status,
        "media_type": headers.get("content-type", "").split(";")[0].strip().lower(),
    }
    if "allow" in headers:
        out["allow"] = headers["allow"]
    if exchange.body_dropped or exchange.cut:
        out["body"] = None  # compared on status and headers only
        return out
    parsed = json_or_none(exchange.response_body)
    if parsed is not None or exchange.response_body.strip() == b"null":
        kind, text = "json", json.dumps(parsed, sort_keys=True, ensure_ascii=False)
    else:
        raw = exchange.response_body.decode("utf-8", "replace").encode("utf-8")
        kind, text = "bytes", base64.b64encode(raw).decode("ascii")
    if len(text) > COMPARED_TEXT:
        text = hashlib.sha256(text.encode("utf-8")).hexdigest()
    out["kind"], out["body"] = kind, text
    return out


class _Recipes:
    """Turns the tokens of requests into placeholders and recipes."""

    def __init__(self, context: ReproContext) -> None:
        self.context = context
        self.recipes: list[dict[str, Any]] = []

    def placeholder(self, token: str, sent_at: float) -> str:
        recipe = self.recipe(token, sent_at)
        if recipe not in self.recipes:
            self.recipes.append(recipe)
        return f"{OPEN}token:{self.recipes.index(recipe)}{CLOSE}"

    def recipe(self, token: str, sent_at: float) -> dict[str, Any]:
        variable = self.context.variables.get(token)
        if variable is not None:
            return {"var": variable}
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return {"literal": self.secrets_named(token)}
        exp = claims.pop("exp", None)
        recipe: dict[str, Any] = {
            "header": header,
            "claims": claims,
            "exp_in": None if not isinstance(exp, int | float) else round(exp - sent_at),
        }
        if header.get("alg") != "none":
            recipe["key"] = "api_key" if self._signed_with_key(token) else "random"
        return recipe

    def _signed_with_key(self, token: str) -> bool:
        if not self.context.api_key:
            return False
        try:
            jwt.decode(
                token,
                self.context.api_key,
                algorithms=["HS256"],
                options={"verify_exp": False, "require": []},
            )
        except jwt.InvalidSignatureError:
            return False
        except jwt.PyJWTError:
            return True  # the signature held; another claim was judged
        return True

    def secrets_named(self, text: str) -> str:
        """``text`` with each configured value written as its variable's placeholder."""
        for value, variable in sorted(self.context.variables.items(), key=lambda i: -len(i[0])):
            if value:
                text = text.replace(value, f"{OPEN}{variable}{CLOSE}")
        return text


def _step(exchange: Exchange, recipes: _Recipes, context: ReproContext) -> dict[str, Any]:
    url = exchange.url
    if url.startswith(context.api_base):
        url = f"{OPEN}BASE{CLOSE}" + url[len(context.api_base) :]
    url = _TOKEN_QUERY.sub(
        lambda m: m.group(1) + recipes.placeholder(m.group(2), exchange.sent_at), url
    )
    headers: dict[str, str] = {}
    for name, value in exchange.headers.items():
        if name.lower() == "authorization" and value.strip():
            scheme, _, credential = value.strip().partition(" ")
            token = credential.strip() if credential else scheme
            shown = recipes.placeholder(token, exchange.sent_at)
            value = f"{scheme} {shown}" if credential else shown
        else:
            value = recipes.secrets_named(value)
        headers[name] = value
    path = exchange.url.removeprefix(context.api_base)
    return {
        "method": exchange.method,
        "url": recipes.secrets_named(url),
        "shown": _TOKEN_QUERY.sub(r"\1***", path.split("#")[0]),
        "headers": headers,
        "body": _stored_body(exchange.body),
        "answer": _answer(exchange),
    }


def _canonical(entry: Mapping[str, Any]) -> str:
    text = json.dumps(entry, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= COMPARED_TEXT else hashlib.sha256(text.encode()).hexdigest()


def _session_ids(steps: Sequence[Exchange], api_base: str) -> list[str]:
    """The Sessions the requests addressed (``.../sessions/{id}``), in order."""
    found: list[str] = []
    prefix = api_base + "/sessions/"
    for exchange in steps:
        if exchange.url.startswith(prefix):
            sid = unquote(exchange.url[len(prefix) :].split("?")[0].split("/")[0])
            if sid and sid not in found:
                found.append(sid)
    return found


def build_case(
    rule: str,
    summary: str,
    evidence: Exchange,
    exchanges: Sequence[Exchange],
    context: ReproContext,
    *,
    writes: Writes | None = None,
    end_world: Any = None,
) -> dict[str, Any]:
    """The case of one finding: the test's exchanges around ``evidence`` (by ``seq``), and
    the setup that rebuilds the embedded mock's state (``writes``: the run's earlier writes;
    ``end_world``: the mock's Sessions when the test ended)."""
    at = next((i for i, e in enumerate(exchanges) if e.seq == evidence.seq), None)
    if at is None:
        window, following = [evidence], []
    else:
        window = list(exchanges[max(0, at - BEFORE + 1) : at + 1 + AFTER])
        following = list(exchanges[at + 1 + AFTER : at + 2 + AFTER])
    recipes = _Recipes(context)
    steps = [_step(e, recipes, context) for e in window]
    steps[window.index(evidence) if evidence in window else -1]["evidence"] = True
    case: dict[str, Any] = {
        "rule": rule,
        "summary": summary,
        "base_path": context.base_path,
        "steps": steps,
        "tokens": recipes.recipes,
        "company_slug": context.company_id,
        "organizations": list(context.world.organizations) if context.world else [],
        "bugs": list(context.bugs),
        "setup": None,
        "after": [],
    }
    world = context.world
    if world is None or window[0].world is None:
        return case
    earlier = writes.before(window[0].seq) if writes is not None else None
    if earlier is not None:
        known = set(world.fixture_ids)
        prefix = []
        for exchange in earlier:
            step = _step(exchange, recipes, context)
            step["create"] = _created(world, exchange, known)
            prefix.append(step)
        for exchange, step in zip(window, steps, strict=True):
            step["create"] = _created(world, exchange, known)
        case["setup"] = {"mode": "reset", "steps": prefix}
    else:
        document = world.document([e.world for e in window if e.world is not None])
        if document is not None:
            raw = json.dumps(document, separators=(",", ":")).encode("utf-8")
            case["setup"] = {
                "mode": "sandbox",
                "world": {"zlib_b64": base64.b64encode(zlib.compress(raw, 9)).decode()},
                "sessions": len(document.get("sessions") or []),
            }
    case["tokens"] = recipes.recipes  # the prefix may have added recipes
    after_world = following[0].world if following and following[0].world else end_world
    if case["setup"] is not None and after_world is not None:
        held = {e["remote_session_id"]: e for e in world.entries(after_world)}
        case["after"] = [
            {"id": sid, "stored": _canonical(held[sid])}
            for sid in _session_ids(window, context.api_base)
            if sid in held
        ]
    return case


def _created(world: WorldAccess, exchange: Exchange, known: set[str]) -> list[dict[str, Any]]:
    """The Sessions first held just before ``exchange`` (created through the admin API)."""
    made = world.entries(exchange.world or (), skip=known)
    known.update(e["remote_session_id"] for e in made)
    return made
