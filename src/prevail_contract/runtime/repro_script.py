"""The body of every repro script: replay a failure's exchanges and say whether the breach recurs.

This module is copied whole into each ``DIR/repro/<rule>-<n>.py`` after its ``CASE`` line, so
it imports the standard library only and runs wherever Python 3.9+ does (no kit installed).
The case holds the failing run's requests (tokens as recipes, secrets as ``PREVAIL_*``
variables) and its answers (status, media type, ``Allow``, body or digest). For a run against
the embedded mock it also rebuilds the mock's state on a served ``prevail-contract mock`` with
the same ``--bug``: either it resets the mock and replays the run's earlier writes (creating,
through the admin API, the Sessions the run created, when it did), or it asks for a sandbox
holding the Sessions the mock held then; and it ends by reading the Sessions the requests
addressed through the admin API. It exits 1 when every answer and every Session read matches
the failing run's (the breach reproduced), 0 when one differs, 2 when it could not run.
Against a live server the state is whatever it is now, so differences may come from that; the
script says so.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import os
import secrets
import sys
import time
import zlib
from typing import Any
from urllib.parse import quote, urlsplit

CASE: dict[str, Any] = {}  # each script replaces this line with its case
#: Placeholder marks in recorded URLs and headers: ⟪BASE⟫, ⟪PREVAIL_TOKEN⟫, ⟪token:0⟫.
OPEN, CLOSE = "\u27ea", "\u27eb"
TIMEOUT = 30.0


def fail(message: str) -> None:
    """Stop: the script could not run (exit 2)."""
    print(f"repro: cannot run: {message}", file=sys.stderr)
    sys.exit(2)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def body_of(stored: dict[str, Any] | None) -> bytes | None:
    """A stored body: ``{"text": ...}`` or ``{"zlib_b64": ...}``."""
    if stored is None:
        return None
    if "text" in stored:
        return str(stored["text"]).encode("utf-8")
    return zlib.decompress(base64.b64decode(stored["zlib_b64"]))


def send(base: str, method: str, url: str, headers: dict[str, str], body: bytes | None) -> Any:
    """One request, answered as (status, headers, body)."""
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = kind(parts.netloc, timeout=TIMEOUT)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request(method, target or "/", body=body, headers=headers)
        response = conn.getresponse()
        data = response.read() if method != "HEAD" else b""
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    except (OSError, ValueError, http.client.HTTPException) as exc:
        fail(f"{method} {url}: {type(exc).__name__}: {exc}")
    finally:
        conn.close()


class Values:
    """Fills the placeholders: the base URL, ``PREVAIL_*`` values, tokens made from recipes."""

    def __init__(self, base: str, env: dict[str, str], sandbox: str | None) -> None:
        self.base, self.env, self.sandbox = base, env, sandbox
        self.tokens: dict[str, str] = {}

    def value(self, name: str) -> str:
        if name == "BASE":
            return self.base
        if name.startswith("token:"):
            if name not in self.tokens:
                self.tokens[name] = self.token(CASE["tokens"][int(name[6:])])
            return self.tokens[name]
        if name not in self.env:
            fail(f"set {name} (the failing run used it)")
        return self.env[name]

    def fill(self, text: str) -> str:
        out, rest = [], text
        while OPEN in rest:
            before, _, after = rest.partition(OPEN)
            name, _, rest = after.partition(CLOSE)
            out += [before, self.value(name)]
        return "".join(out) + rest

    def token(self, recipe: dict[str, Any]) -> str:
        if "var" in recipe:
            return self.value(recipe["var"])
        if "literal" in recipe:
            return self.fill(recipe["literal"])
        claims = dict(recipe["claims"])
        if recipe.get("exp_in") is not None:
            claims["exp"] = int(time.time() + recipe["exp_in"])
        slug = claims.get("slug")
        if self.sandbox and isinstance(slug, str) and slug in CASE.get("organizations", []):
            claims["slug"] = f"{slug}.{self.sandbox}"  # the sandbox renamed the Organization
        elif slug == CASE.get("company_slug") and "PREVAIL_COMPANY_ID" in self.env:
            claims["slug"] = self.env["PREVAIL_COMPANY_ID"]  # your Organization, as now set
        header = dict(recipe.get("header") or {"alg": "HS256", "typ": "JWT"})
        signing = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
        if header.get("alg") == "none":
            return signing + "."
        key = (
            self.value("PREVAIL_API_KEY")
            if recipe.get("key") == "api_key"
            else secrets.token_hex(32)
        )
        digest = hmac.new(key.encode(), signing.encode(), hashlib.sha256).digest()
        return signing + "." + b64url(digest)


class Mock:
    """The served mock's admin API (the setup of a case from an embedded run)."""

    def __init__(self, base: str) -> None:
        root = base[: -len(CASE["base_path"])] if base.endswith(CASE["base_path"]) else base
        self.root, self.base = root, base
        self.headers = {"Content-Type": "application/json"}
        admin = os.environ.get("PREVAIL_MOCK_ADMIN_TOKEN")
        if admin:
            self.headers["Authorization"] = f"Bearer {admin}"
        self.box: str | None = None

    def call(self, method: str, path: str, body: Any = None, want: int = 200) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        status, _, answer = send(self.base, method, self.root + path, self.headers, data)
        if status != want:
            fail(
                f"the mock's admin API answered {method} {path} with {status}: {answer[:300]!r}; "
                "serve `prevail-contract mock` (PREVAIL_MOCK_ADMIN_TOKEN set if it has one)"
            )
        return json.loads(answer) if answer else None

    def reset(self) -> dict[str, str]:
        """Back to the fixtures; the mock's own PREVAIL_* variables."""
        self.call("POST", "/__mock__/reset")
        return {str(k): str(v) for k, v in self.call("GET", "/__mock__/environment").items()}

    def sandbox(self, world: dict[str, Any]) -> dict[str, str]:
        """A sandbox holding ``world``; its PREVAIL_* variables."""
        answer = self.call("POST", "/__mock__/sandboxes", world, want=201)
        self.box = str(answer["sandbox_id"])
        return {str(k): str(v) for k, v in answer["environment"].items()}

    def create(self, session: dict[str, Any]) -> None:
        self.call("POST", "/__mock__/sessions", session, want=201)

    def stored(self, session_id: str) -> Any:
        where = f"/sandboxes/{self.box}" if self.box else ""
        path = f"/__mock__{where}/sessions/{quote(session_id, safe='')}"
        status, _, answer = send(self.base, "GET", self.root + path, self.headers, None)
        return answer if status == 200 else None


def canonical(body: bytes, sandbox: str | None) -> tuple[str, str]:
    """The body as compared: canonical JSON (sandbox names undone) or the raw bytes."""
    text = body.decode("utf-8", "replace")
    if sandbox:
        text = text.replace("." + sandbox, "")
    try:
        return "json", json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False)
    except (ValueError, RecursionError):
        return "bytes", base64.b64encode(text.encode("utf-8")).decode("ascii")


def stored_text(stored: bytes | None, sandbox: str | None) -> str:
    """A Session as the admin API answered it, as compared (its invitees say who is invited)."""
    _, text = canonical(stored or b"null", sandbox)
    try:
        entry = json.loads(text)
    except ValueError:
        return text
    if isinstance(entry, dict):
        entry.pop("invites", None)
    return json.dumps(entry, sort_keys=True, ensure_ascii=False)


def differences(step: dict[str, Any], answer: Any, sandbox: str | None) -> list[str]:
    """How the replayed answer differs from the failing run's (empty: the same)."""
    status, headers, body = answer
    want = step["answer"]
    found: list[str] = []
    if status != want["status"]:
        found.append(f"status {status}, the failing run got {want['status']}")
    media = headers.get("content-type", "").split(";")[0].strip().lower()
    if media != want["media_type"]:
        found.append(f"content type {media!r}, the failing run got {want['media_type']!r}")
    if "allow" in want and headers.get("allow") != want["allow"]:
        found.append(f"Allow {headers.get('allow')!r}, the failing run got {want['allow']!r}")
    kind, text = canonical(body, sandbox)
    if want.get("body") is None:
        return found  # the failing run kept no body for this answer
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if (kind, text) != (want["kind"], want["body"]) and digest != want["body"]:
        shown = text if len(text) < 300 else text[:300] + "..."
        found.append(f"body {shown}")
    return found


def replay(steps: list[dict[str, Any]], values: Values, mock: Mock | None, shown: bool) -> int:
    """Send ``steps`` in order (creating the Sessions the run created before each); return how
    many answers differ from the failing run's."""
    differing = 0
    for number, step in enumerate(steps, start=1):
        for session in step.get("create") or []:
            if mock is not None:
                mock.create(session)
        url = values.fill(step["url"])
        headers = {k: values.fill(v) for k, v in step["headers"].items()}
        answer = send(values.base, step["method"], url, headers, body_of(step.get("body")))
        found = differences(step, answer, values.sandbox)
        differing += 1 if found else 0
        if shown or found:
            mark = "  <- the failure" if step.get("evidence") else ""
            print(f"#{number} {step['method']} {step['shown']} -> {answer[0]}{mark}")
        for line in found:
            print(f"    differs: {line}")
    return differing


def main() -> int:
    base = (os.environ.get("PREVAIL_BASE_URL") or "").rstrip("/")
    if not base:
        fail("set PREVAIL_BASE_URL to the API base (e.g. http://127.0.0.1:8000/api/v1)")
    print(f"repro of {CASE['rule']}: {CASE['summary']}")
    env = {k: v for k, v in os.environ.items() if k.startswith("PREVAIL_")}
    setup: dict[str, Any] = CASE.get("setup") or {}
    mock = Mock(base) if setup else None
    differing = 0
    if mock is not None and setup["mode"] == "sandbox":
        box_env = mock.sandbox(json.loads(body_of(setup["world"]) or b"{}"))
        env.update({k: v for k, v in box_env.items() if k != "PREVAIL_BASE_URL"})
        print(f"setup: sandbox {mock.box} holding the {setup['sessions']} Sessions of the run")
    elif mock is not None:
        env.update({k: v for k, v in mock.reset().items() if k != "PREVAIL_BASE_URL"})
        print(f"setup: mock reset, then the run's {len(setup['steps'])} earlier write(s)")
    values = Values(base, env, mock.box if mock else None)
    if mock is not None and setup["mode"] == "reset":
        differing += replay(setup["steps"], values, mock, shown=False)
        if differing:
            print(f"    ({differing} earlier write(s) answered otherwise: the state differs)")
    differing += replay(CASE["steps"], values, mock, shown=True)
    for held in CASE.get("after") or []:
        stored = mock.stored(held["id"]) if mock is not None else None
        text = stored_text(stored, values.sandbox)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        same = held["stored"] in (text, digest)
        print(f"read {held['id']} through the admin API: {'as' if same else 'NOT as'} in the run")
        differing += 0 if same else 1
    if differing:
        print(
            f"not reproduced: {differing} answer(s) differ from the failing run's"
            + ("" if mock else " (a live server's state may differ from the run's)")
        )
        return 0
    print(f"BREACH REPRODUCED: every answer is the failing run's ({CASE['summary']})")
    return 1


if __name__ == "__main__":
    sys.exit(main())
