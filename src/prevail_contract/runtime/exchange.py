"""One request and its answer, as the suite records them, and the curl command that replays it.

Every request the contract suite sends is kept as an :class:`Exchange` so that a failing rule can
name the exact request and the answer it got. The request is shown as a curl command that runs
as printed in a shell where the ``PREVAIL_*`` variables are set: a configured token appears as
``$PREVAIL_TOKEN`` (never its value), and a URL of the in-process mock as ``$PREVAIL_BASE_URL``.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shlex
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from prevail_contract.runtime.safety import MASK, Masker

#: Headers worth showing in a reproduction; the rest (user agent, test ids) is noise.
_SHOWN_HEADERS = ("authorization", "content-type", "accept")
#: Characters a double-quoted shell word must escape.
_DOUBLE_QUOTED = re.compile(r'[\\"$`]')
#: Bodies longer than this are abbreviated in summaries (never in curl commands).
_SUMMARY_BODY_CHARS = 400


def shell_quote(text: str) -> str:
    """``text`` as one shell word that a terminal prints safely: ``shlex.quote`` when every
    character is printable, else bash's ``$'...'`` with each other character as its UTF-8
    bytes (``\\x1b``), so that the command still sends exactly ``text``."""
    if text.isprintable():
        return shlex.quote(text)
    out = []
    for char in text:
        if char in "\\'":
            out.append("\\" + char)
        elif char.isprintable():
            out.append(char)
        else:
            out.append("".join(f"\\x{byte:02x}" for byte in char.encode("utf-8")))
    return "$'" + "".join(out) + "'"


def json_or_none(data: bytes | str | None) -> Any:
    """``data`` parsed as JSON, or ``None`` when it is not JSON or nested too deeply to parse.

    A target's answer is untrusted: ``[[[[...`` thousands deep makes :func:`json.loads` raise
    ``RecursionError``, which is that answer's problem (it is not JSON the suite can read), not
    a crash of whichever check happened to read it.
    """
    if data is None:
        return None
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


@dataclass
class Exchange:
    """A request the suite sent and the response it received."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    status: int
    response_headers: dict[str, str]
    response_body: bytes
    #: Free-form label of what the request was for (e.g. ``auth: expired token``).
    purpose: str = ""
    #: Seconds between sending the request and receiving the whole answer.
    elapsed: float = 0.0
    #: Rules whose verdict this exchange fed (beyond the rules its test declares).
    checked: set[str] = field(default_factory=set)
    #: Whether the answer was longer than the run's response limit and cut there (the body
    #: holds its first bytes only, so it is never used as evidence).
    cut: bool = False
    #: Wall-clock time (``time.time()``) the request was sent (repro scripts keep a token's
    #: ``exp`` as far from the sending as it was).
    sent_at: float = 0.0
    #: Its place in the run's log (set when logged; a finding names its exchange by it).
    seq: int = -1
    #: The embedded mock's Sessions just before the request (for repro scripts), else None.
    world: Any = None
    #: Whether the stored copy dropped the answer's body (the per-test evidence cap).
    body_dropped: bool = False

    def __repr__(self) -> str:
        # Tracebacks show reprs: never let a header or a query token through.
        return Masker()(f"Exchange({self.method} {self.url} -> {self.status})")

    @property
    def json(self) -> Any:
        """The response body parsed as JSON, or ``None`` when it is not JSON (or too deep)."""
        return json_or_none(self.response_body)

    @property
    def accepted(self) -> bool:
        """Whether the server answered 2xx."""
        return 200 <= self.status < 300

    def request_json(self) -> Any:
        """The request body parsed as JSON, or ``None``."""
        return json_or_none(self.body)

    def curl(self, masker: Masker, variables: Mapping[str, str] | None = None) -> str:
        """A curl command that sends this request again, secrets masked.

        ``variables`` maps values (tokens, the base URL) to the ``PREVAIL_*`` variable that
        holds them; each is written as ``"$VARIABLE"`` so that the shell fills it in.
        """
        names = sorted((variables or {}).items(), key=lambda item: len(item[0]), reverse=True)

        def word(text: str) -> str:
            """``text`` quoted for a shell: in double quotes around any variable it holds."""
            pieces: list[tuple[str, bool]] = [(text, False)]
            for value, var in names:
                if not value:
                    continue
                split: list[tuple[str, bool]] = []
                for piece, is_var in pieces:
                    if is_var or value not in piece:
                        split.append((piece, is_var))
                        continue
                    chunks = piece.split(value)
                    for i, chunk in enumerate(chunks):
                        if i:
                            split.append((var, True))
                        split.append((chunk, False))
                pieces = [p for p in split if p[0]]
            if not any(is_var for _, is_var in pieces):
                return shlex.quote(text)
            out = []
            for i, (piece, is_var) in enumerate(pieces):
                if not is_var:
                    out.append(_DOUBLE_QUOTED.sub(r"\\\g<0>", piece))
                    continue
                following = pieces[i + 1][0] if i + 1 < len(pieces) else ""
                glued = following[:1].isalnum() or following[:1] == "_"
                out.append(f"${{{piece}}}" if glued else f"${piece}")
            return '"' + "".join(out) + '"'

        # curl's -X HEAD waits for a body that never comes: -I sends a HEAD properly
        method = ("-I",) if self.method == "HEAD" else ("-i", "-X", self.method)
        parts = [shlex.quote(p) for p in ("curl", "-sS", *method)]
        for name, value in self.headers.items():
            if name.lower() in _SHOWN_HEADERS:
                parts += ["-H", word(f"{name}: {value}")]
        if self.body is not None:
            if len(self.body) > 64 * 1024:
                size = len(self.body)
                text = self.body[:200].decode("utf-8", "replace")
                parts += ["--data-binary", f"<{size} bytes starting {text!r}>"]
            else:
                parts += ["--data-binary", self.body.decode("utf-8", "replace")]
            parts[-1] = shell_quote(parts[-1])
        parts.append(word(self.url))
        command = masker(" ".join(parts))
        if MASK in command:
            command += (
                f"  # {MASK}: a token not printed (forged for this probe, or minted from the key)"
            )
        return command

    def describe(self, masker: Masker) -> str:
        """One line: method, path, status and the start of the answer, secrets masked."""
        text = self.response_body.decode("utf-8", "replace")
        if len(text) > _SUMMARY_BODY_CHARS:
            text = text[:_SUMMARY_BODY_CHARS] + "..."
        return masker(f"{self.method} {self.url} -> {self.status} {text}")


#: Answer and request bytes one test keeps in the log; later exchanges keep no bodies.
MAX_TEST_BODY_BYTES = 8 * 1024 * 1024
#: Exchanges one test keeps in the log; later ones are only counted.
MAX_TEST_EXCHANGES = 5_000


def without_answer(exchange: Exchange, *, keep_request: bool) -> Exchange:
    """A copy of ``exchange`` without the answer's body (and without the request's unless
    ``keep_request``); it shares ``checked``, which tests update after sending."""
    body = exchange.body if keep_request else None
    return dataclasses.replace(exchange, body=body, response_body=b"", body_dropped=True)


@dataclass
class Batch:
    """What one test sent, as the log kept it (see :class:`ExchangeLog`)."""

    #: Exchanges in order (beyond the byte cap without their bodies).
    exchanges: list[Exchange] = field(default_factory=list)
    #: Exchanges past the count cap: (accepted, refused 4xx, rules checked) -> how many.
    counted_only: Counter[tuple[bool, bool, frozenset[str]]] = field(default_factory=Counter)
    #: How many kept exchanges lost their bodies to the byte cap.
    bodies_dropped: int = 0
    #: Body bytes the batch kept.
    kept_bytes: int = 0

    @property
    def total(self) -> int:
        """Every exchange of the batch, kept or only counted."""
        return len(self.exchanges) + sum(self.counted_only.values())


@dataclass
class ExchangeLog:
    """The exchanges sent since the last :meth:`drain`, shared by the suite and its recorder.

    Evidence is bounded per test (between drains): bodies up to ``max_bytes`` in all, then
    exchanges without bodies, up to ``max_exchanges``, then counts only. A test that reads a
    huge list again and again so keeps a few MiB, not every page it saw; the batch says what
    was dropped.
    """

    max_bytes: int = MAX_TEST_BODY_BYTES
    max_exchanges: int = MAX_TEST_EXCHANGES
    _batch: Batch = field(default_factory=Batch)
    _bytes: int = 0
    #: Request bytes kept with exchanges past the byte cap (their own budget of ``max_bytes``).
    _request_bytes: int = 0
    _seq: int = 0
    #: The last exchange past the count cap, counted when the next one comes (tests mark
    #: ``checked`` just after sending).
    _pending: Exchange | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, exchange: Exchange) -> None:
        """Record one exchange (numbering it), within the caps."""
        with self._lock:
            exchange.seq = self._seq
            self._seq += 1
            batch = self._batch
            if len(batch.exchanges) >= self.max_exchanges:
                self._count_pending()
                self._pending = exchange
                return
            size = len(exchange.response_body) + len(exchange.body or b"")
            if self._bytes + size > self.max_bytes:
                sent = len(exchange.body or b"")
                keep = self._request_bytes + sent <= self.max_bytes
                self._request_bytes += sent if keep else 0
                batch.exchanges.append(without_answer(exchange, keep_request=keep))
                batch.bodies_dropped += 1
                return
            self._bytes += size
            batch.exchanges.append(exchange)

    def _count_pending(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            key = (pending.accepted, 400 <= pending.status < 500, frozenset(pending.checked))
            self._batch.counted_only[key] += 1

    def __len__(self) -> int:
        with self._lock:
            return self._batch.total + (self._pending is not None)

    def drain(self) -> Batch:
        """Return and forget everything recorded so far."""
        with self._lock:
            self._count_pending()
            batch, self._batch = self._batch, Batch()
            batch.kept_bytes = self._bytes + self._request_bytes
            self._bytes = self._request_bytes = 0
        return batch


@dataclass
class RunRecord:
    """What one contract run writes as it goes: one per run (the rule recorder owns it)."""

    #: The exchanges the target sent, drained by the rule recorder after each test.
    log: ExchangeLog = field(default_factory=ExchangeLog)
    #: (rule, note) pairs: probes the run could not make (a fixture missing, the invite cap
    #: reached), shown with the rule even when it passed; drained by the rule recorder.
    notes: list[tuple[str, str]] = field(default_factory=list)
    #: Facts about the run the reports carry at their top level, such as ``read`` (how the
    #: suite read Sessions: ``GET /sessions`` or, for a target without it, an edit).
    facts: dict[str, str] = field(default_factory=dict)
    #: What repro scripts need to know about the target (a ``repro.ReproContext``), set when
    #: the target is built.
    repro: Any = None
