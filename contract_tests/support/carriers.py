"""Send a request with a credential on one of the spec's token carriers, and the bad-token kinds.

The carriers (the ``Authorization: Bearer`` header, the ``jwt_payload`` query parameter) come
from the spec's ``securitySchemes`` via :mod:`prevail_contract.spec.security`; so does the
assumed clock-skew leeway on ``exp``, which every expired probe stays well clear of.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from contract_tests.support.target import Target
from prevail_contract.runtime import tokens
from prevail_contract.runtime.exchange import Exchange
from prevail_contract.spec.security import Carrier, carriers, exp_leeway_seconds

#: A credential of another scheme (``contract:check`` in Basic), not a JWT.
OTHER_SCHEME = "Basic Y29udHJhY3Q6Y2hlY2s="


@dataclass(frozen=True)
class Credential:
    """What a probe puts on a carrier: a token, nothing (``None``), or a raw value."""

    label: str
    token: str | None
    #: Put verbatim on the carrier (no ``Bearer`` prefix): another scheme's credential.
    raw: bool = False
    #: The rule a server accepting it breaks (a token just past the leeway: the assumed one).
    rule: str = "auth-required"


#: The assumed rule of the clock-skew leeway on ``exp``.
LEEWAY_RULE = "exp-leeway"


def past_leeway_seconds(target: Target) -> int:
    """How long ago a token just past the spec's leeway expired: twice the leeway, so that
    ordinary clock skew cannot excuse accepting it."""
    return max(2 * exp_leeway_seconds(target.spec), 30)


def past_leeway_token(target: Target) -> str:
    """A correctly signed token expired just past the leeway (skips without the API key)."""
    company = target.require("company_id", "needs the Company ID to sign an expired token")
    key = target.require("api_key", "needs the API key to sign an expired token")
    token = tokens.expired(company, key, ago=past_leeway_seconds(target))
    target.masker.add(token)
    return token


def spec_carriers(target: Target) -> list[Carrier]:
    """The carriers the spec declares for the operation."""
    return carriers(target.spec)


def send_via(
    target: Target,
    carrier: Carrier,
    credential: Credential,
    payload: Any,
    *,
    session_id: str | None = None,
    purpose: str,
) -> Exchange:
    """An edit carrying ``credential`` on ``carrier`` (and no credential anywhere else)."""
    headers = target.auth_headers(None)
    params: dict[str, str] = {}
    value = credential.token
    if carrier.location == "header":
        if value is not None:
            prefixed = carrier.prefix and not credential.raw
            headers[carrier.name] = f"{carrier.prefix} {value}" if prefixed else value
    else:
        # a missing token on the query carrier is the parameter sent empty
        params[carrier.name] = value if value is not None else ""
    headers["Content-Type"] = "application/json"
    return target.send(
        target.edit_operation.method,
        target.url(session_id),
        headers=headers,
        body=json.dumps(payload).encode(),
        params=params or None,
        purpose=purpose,
    )


def other_slug(target: Target) -> str | None:
    """The Company ID of another Organization the run knows of (from its token), if any."""
    token = target.config.no_self_service_token
    slug = tokens.claims_of(token).get("slug") if token else None
    return slug if isinstance(slug, str) and slug != target.config.company_id else None


def bad_credentials(target: Target) -> list[Credential]:
    """Every kind of unusable credential the suite can build for this target (noted if not)."""
    claims = tokens.claims_of(target.token) or {"slug": target.config.company_id or "unknown"}
    out = [
        Credential("missing", None),
        Credential("garbage", tokens.garbage()),
        Credential("other scheme (Basic)", OTHER_SCHEME, raw=True),
        Credential("wrong signature", tokens.wrong_signature(claims)),
        Credential("alg none", tokens.unsigned(claims)),
    ]
    company, key = target.config.company_id, target.config.api_key
    if company and key:
        # well past the leeway the spec allows on exp (assumed), so no server may accept it
        leeway = exp_leeway_seconds(target.spec)
        ago = max(3600, 10 * leeway)
        # and just past it: a server with a longer leeway than the spec states breaks the
        # assumed exp-leeway, not the documented auth-required
        past = past_leeway_seconds(target)
        out += [
            Credential("expired", tokens.expired(company, key, ago=ago)),
            Credential(
                f"expired {past} s ago (past the assumed {leeway} s leeway)",
                tokens.expired(company, key, ago=past),
                rule=LEEWAY_RULE,
            ),
            Credential("missing exp", tokens.without_claim(company, key, "exp")),
            Credential("missing slug", tokens.without_claim(company, key, "slug")),
            Credential("unknown Organization", tokens.unknown_company(key)),
        ]
        slug = other_slug(target)
        if slug is not None:
            out.append(
                Credential(
                    "another Organization's slug, this key", tokens.signed_for_other(slug, key)
                )
            )
        else:
            target.note(
                "auth-required",
                "a token naming another Organization but signed with this key not probed: set "
                "PREVAIL_NO_SELF_SERVICE_TOKEN (its slug is used)",
            )
    else:
        target.note(
            "auth-required",
            "expired, missing-exp, missing-slug, unknown-Organization and cross-Organization "
            "tokens not probed: they must be signed with the API key; set PREVAIL_COMPANY_ID "
            "and PREVAIL_API_KEY",
        )
    for credential in out:
        target.masker.add(credential.token)
    return out


def within_leeway(target: Target) -> Credential | None:
    """A token expired by half the spec's leeway: a server may accept or refuse it."""
    company, key = target.config.company_id, target.config.api_key
    leeway = exp_leeway_seconds(target.spec)
    if not (company and key and leeway >= 2):
        return None
    token = tokens.expired(company, key, ago=leeway // 2)
    target.masker.add(token)
    return Credential(f"expired {leeway // 2} s ago (within the assumed leeway)", token)
