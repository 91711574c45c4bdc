"""Token checks for the mock (rule ``auth-required``): HS256 JWTs verified with PyJWT.

The Organization is found from the unverified ``slug`` claim, then the token is verified with
that Organization's API key and the algorithm pinned to HS256, so ``alg: none`` and any other
algorithm are refused by PyJWT itself.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import jwt

from prevail_contract.mock.errors import ApiError
from prevail_contract.mock.fixtures import Organization
from prevail_contract.spec import Spec

ALGORITHM = "HS256"
RULE = "auth-required"
HOW = (
    "send a JWT signed (HS256) with your Organization's API key, with the claims 'slug' "
    "(your Company ID) and 'exp', as 'Authorization: Bearer <token>' or the 'jwt_payload' "
    "query parameter."
)


def make_token(org: Organization, lifetime: int = 3600, **claims: Any) -> str:
    """A valid token for ``org``, expiring ``lifetime`` seconds from now."""
    payload: dict[str, Any] = {"slug": org.slug, "exp": int(time.time()) + lifetime}
    payload.update(claims)
    return jwt.encode(payload, org.api_key, algorithm=ALGORITHM)


def token_from(headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
    """The token of a request: the Bearer header first, else the ``jwt_payload`` parameter."""
    header = headers.get("authorization")
    if header is not None:
        scheme, _, value = header.strip().partition(" ")
        return value.strip() if scheme.lower() == "bearer" and value.strip() else ""
    return query.get("jwt_payload")


def authenticate(
    spec: Spec,
    token: str | None,
    organizations: Mapping[str, Organization],
    *,
    lenient: bool = False,
) -> Organization:
    """The caller's Organization, or a 401 ``ApiError`` saying what is wrong with the token.

    ``lenient`` is the planted bug for ``auth-required``: the signature, algorithm and expiry
    are not checked (a known ``slug`` is still needed to pick the Organization).
    """
    if token is None:
        raise _refuse(spec, "no token was sent")
    if not token:
        raise _refuse(spec, "the Authorization header is not of the form 'Bearer <token>'")
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError as exc:
        raise _refuse(spec, f"the token is not a well-formed JWT ({exc})") from exc
    slug = unverified.get("slug")
    if not isinstance(slug, str) or not slug:
        raise _refuse(spec, "the token has no 'slug' claim naming your Company ID")
    org = organizations.get(slug)
    if org is None:
        raise _refuse(spec, f"the Company ID {slug[:100]!r} in the token is not known")
    if lenient:
        return org
    try:
        claims = jwt.decode(
            token,
            org.api_key,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "slug"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise _refuse(spec, "the token has expired") from exc
    except jwt.InvalidAlgorithmError as exc:
        raise _refuse(spec, "the token is not signed with HS256") from exc
    except jwt.InvalidSignatureError as exc:
        raise _refuse(spec, "the token's signature does not match your API key") from exc
    except jwt.MissingRequiredClaimError as exc:
        raise _refuse(spec, f"the token lacks the {exc.claim!r} claim") from exc
    except jwt.InvalidTokenError as exc:
        raise _refuse(spec, f"the token is not valid ({exc})") from exc
    exp = claims["exp"]
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        # PyJWT converts a string such as "9999999999"; RFC 7519 wants a JSON number.
        raise _refuse(spec, "the token's 'exp' claim must be a number of seconds since the epoch")
    return org


class Authenticator:
    """``authenticate`` with a cache of tokens already verified, keyed by the token's text.

    A token's signature either matches its Organization's (fixed) key or not, so a token
    verified once need not be verified again; only its expiry is re-checked on each use. This
    halves the cost of a request at the cache's small memory price.
    """

    #: Tokens remembered at most; the cache is emptied when full.
    SIZE = 4096

    def __init__(
        self, spec: Spec, organizations: Mapping[str, Organization], *, lenient: bool = False
    ) -> None:
        self.spec = spec
        self.organizations = organizations
        self.lenient = lenient
        self._verified: dict[str, tuple[Organization, float]] = {}

    def __call__(self, token: str | None) -> Organization:
        if token:
            hit = self._verified.get(token)
            if hit is not None:
                org, expires = hit
                if time.time() < expires:
                    return org
                del self._verified[token]
        org = authenticate(self.spec, token, self.organizations, lenient=self.lenient)
        if token and not self.lenient:
            expires = jwt.decode(token, options={"verify_signature": False})["exp"]
            if len(self._verified) >= self.SIZE:
                self._verified.clear()
            self._verified[token] = (org, float(expires))
        return org


def _refuse(spec: Spec, reason: str) -> ApiError:
    return ApiError.for_rule(
        spec,
        RULE,
        f"Authentication failed: {reason}; {HOW}",
        headers={"WWW-Authenticate": "Bearer"},
    )
