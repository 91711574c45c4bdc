"""Repro scripts: each listed failure's setup and exchanges, replayable without the kit.

When a test files a finding, the exchanges of that test up to the one that showed it (at most
:data:`WINDOW`) become a *case*: every request with its tokens turned into recipes (a
configured token or key is named by its ``PREVAIL_*`` variable, a forged token is made again
with the same claims and the same distance of ``exp`` from the sending), every answer as the
failing run saw it, and, against the embedded mock, the Sessions it held before the first of
these requests. :func:`write_scripts` writes one script per case under ``DIR/repro/``: the
runner of :mod:`~prevail_contract.check.repro_script` with the case in front.
"""

from __future__ import annotations

import base64
import hashlib
import json
import pprint
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from prevail_contract.check import repro_script
from prevail_contract.check.exchange import Exchange, json_or_none
from prevail_contract.check.safety import Masker

#: Exchanges a case replays, ending with the one that showed the failure.
WINDOW = 40
#: Cases kept per rule (the first failures with distinct summaries), and per run.
MAX_CASES_PER_RULE = 5
MAX_CASES_PER_RUN = 60
#: Bodies up to this size are kept as text; longer ones are compressed.
INLINE_BODY = 4096
#: Answer bodies compared as text up to this size; longer ones by their SHA-256.
COMPARED_TEXT = 4096
#: A script larger than this is not written (the case is listed without it).
MAX_SCRIPT_BYTES = 4 * 1024 * 1024
#: Request headers that may carry a token.
_TOKEN_QUERY = re.compile(r"([?&]jwt_payload=)([^&#]*)")
OPEN, CLOSE = repro_script.OPEN, repro_script.CLOSE
_CASE_LINE = "CASE: dict[str, Any] = {}  # each script replaces this line with its case"


@dataclass(frozen=True)
class ReproContext:
    """What a run's repro cases need to know about its target."""

    api_base: str
    base_path: str
    #: Secret or configured values -> the ``PREVAIL_*`` variable that holds them.
    variables: Mapping[str, str]
    api_key: str | None = None
    company_id: str | None = None
    #: Against the embedded mock: a world snapshot (``Exchange.world``) -> the fixtures
    #: document of a sandbox holding it, and the slugs of its Organizations.
    world_document: Callable[[Sequence[Any]], dict[str, Any] | None] | None = None
    organizations: tuple[str, ...] = ()
    #: Planted bugs of the embedded mock (the mock to serve for the script).
    bugs: tuple[str, ...] = ()


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


def build_case(
    rule: str,
    summary: str,
    evidence: Exchange,
    exchanges: Sequence[Exchange],
    context: ReproContext,
) -> dict[str, Any]:
    """The case of one finding: the test's last exchanges up to ``evidence`` (by ``seq``)."""
    upto = [e for e in exchanges if 0 <= e.seq <= evidence.seq]
    if not upto or upto[-1].seq != evidence.seq:
        upto = [*upto, evidence]
    window = upto[-WINDOW:]
    recipes = _Recipes(context)
    steps = [_step(e, recipes, context) for e in window]
    steps[-1]["evidence"] = True
    case: dict[str, Any] = {
        "rule": rule,
        "summary": summary,
        "base_path": context.base_path,
        "steps": steps,
        "tokens": recipes.recipes,
        "company_slug": context.company_id,
        "organizations": list(context.organizations),
        "bugs": list(context.bugs),
        "window_starts_test": len(upto) <= WINDOW,
        "world": None,
    }
    if context.world_document is not None and window[0].world is not None:
        document = context.world_document([e.world for e in window if e.world is not None])
        if document is not None:
            raw = json.dumps(document, separators=(",", ":")).encode("utf-8")
            case["world"] = {"zlib_b64": base64.b64encode(zlib.compress(raw, 9)).decode()}
            case["world_sessions"] = len(document.get("sessions") or [])
    return case


def script_text(case: Mapping[str, Any], masker: Masker) -> str:
    """The whole script of ``case`` (its runner is :mod:`repro_script`'s source)."""
    runner = Path(repro_script.__file__).read_text(encoding="utf-8")
    literal = pprint.pformat(dict(case), width=100, sort_dicts=False)
    if _CASE_LINE not in runner:
        raise RuntimeError("repro_script.py lost its CASE line")
    serve = "prevail-contract mock --port 8000" + "".join(
        f" --bug {bug}" for bug in case.get("bugs") or []
    )
    if case.get("world") is not None:
        how = (
            f"#   {serve} &\n"
            "#   PREVAIL_BASE_URL=http://127.0.0.1:8000/api/v1 python3 THIS_FILE\n"
            "# (with PREVAIL_MOCK_ADMIN_TOKEN set when the mock has an admin token)"
        )
    else:
        how = "#   set -a; . ./your.env; set +a; python3 THIS_FILE   (the PREVAIL_* of the run)"
    head = (
        "#!/usr/bin/env python3\n"
        f"# Repro of {masker(str(case['rule']))}: {masker(str(case['summary']))[:300]!r}\n"
        "# written by `prevail-contract check`; run it as\n"
        f"{how}\n"
        "# Exit 1: the breach reproduced (every answer the failing run's); 0: an answer differs;\n"
        "# 2: it could not run.\n"
    )
    text = runner.replace(_CASE_LINE, f"CASE: dict[str, Any] = {literal}", 1)
    return head + masker.only_known(text)


def write_scripts(
    report_dir: Path, cases: Sequence[tuple[str, int, Mapping[str, Any]]], masker: Masker
) -> dict[tuple[str, int], str]:
    """Write ``DIR/repro/<rule>-<n>.py`` for each (rule, n, case); return their relative paths."""
    written: dict[tuple[str, int], str] = {}
    folder = report_dir / "repro"
    for rule, number, case in cases:
        text = script_text(case, masker)
        if len(text.encode("utf-8")) > MAX_SCRIPT_BYTES:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{rule}-{number}.py"
        path.write_text(text, encoding="utf-8")
        path.chmod(0o755)
        written[(rule, number)] = f"repro/{path.name}"
    return written
