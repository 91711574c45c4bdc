"""One request and its answer, as the suite records them, and the curl command that replays it.

Every request the contract suite sends is kept as an :class:`Exchange` so that a failing rule can
name the exact request and the answer it got. The request is shown as a curl command that runs
as printed in a shell where the ``PREVAIL_*`` variables are set: a configured token appears as
``$PREVAIL_TOKEN`` (never its value), and a URL of the in-process mock as ``$PREVAIL_BASE_URL``.
"""

from __future__ import annotations

import json
import re
import shlex
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from prevail_contract.check.safety import MASK, Masker

#: Headers worth showing in a reproduction; the rest (user agent, test ids) is noise.
_SHOWN_HEADERS = ("authorization", "content-type", "accept")
#: Characters a double-quoted shell word must escape.
_DOUBLE_QUOTED = re.compile(r'[\\"$`]')
#: Bodies longer than this are abbreviated in summaries (never in curl commands).
_SUMMARY_BODY_CHARS = 400


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
            parts[-1] = shlex.quote(parts[-1])
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


@dataclass
class ExchangeLog:
    """The exchanges sent since the last :meth:`drain`, shared by the suite and its recorder."""

    _items: list[Exchange] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, exchange: Exchange) -> None:
        """Record one exchange."""
        with self._lock:
            self._items.append(exchange)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def drain(self) -> list[Exchange]:
        """Return and forget everything recorded so far."""
        with self._lock:
            items, self._items = self._items, []
        return items


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
