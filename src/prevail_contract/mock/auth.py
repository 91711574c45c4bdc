"""Token checks for the mock (rule ``auth-required``): HS256 JWTs verified with PyJWT.

The Organization is found from the unverified ``slug`` claim, then the token is verified with
that Organization's API key and the algorithm pinned to HS256, so ``alg: none`` and any other
algorithm are refused by PyJWT itself.

Decoding runs on the event loop, so it is bounded before it starts: a token longer than
``MAX_TOKEN`` bytes is refused unread (one decode of a token at that limit takes tens of
microseconds, less than the cost of handing it to a thread). An unknown Company ID and a
wrong key get the same answer (and an unknown one is still checked against a throw-away key,
so timing tells little), so Company IDs cannot be enumerated. A slug the default world does not
know (a sandbox's) is looked up through ``find`` before verifying, without touching the
sandbox: only a verified token restarts its idle time.
"""

from __future__ import annotations

import functools
import hmac
import math
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import jwt
from starlette.datastructures import Headers, QueryParams

from prevail_contract.mock.errors import ApiError
from prevail_contract.mock.fixtures import Organization
from prevail_contract.spec import Spec
from prevail_contract.spec.security import carriers, exp_leeway_seconds

ALGORITHM = "HS256"
RULE = "auth-required"
#: The assumed rule of the clock-skew leeway on ``exp`` (``x-exp-leeway-seconds``).
LEEWAY_RULE = "exp-leeway"
#: Planted bugs of the rule: ``lenient`` (any signature and expiry) and the ``flaws``; and of
#: ``exp-leeway``: a leeway far longer than the spec's.
BUGS = (
    RULE,
    "auth-required:any-org-key",
    "auth-required:exp-optional",
    LEEWAY_RULE,
)
#: The leeway on ``exp`` with the planted ``exp-leeway`` bug, and in the documented-only
#: reading of the contract (five minutes: a server's own choice, still far from an hour).
LONG_LEEWAY = 300
#: Longest token read (bytes); longer ones are refused before decoding (mock limit, assumed).
MAX_TOKEN = 8 * 1024
#: Largest ``exp`` accepted: JSON numbers beyond 2**53 are not exchanged exactly (I-JSON).
MAX_EXP = 2**53
HOW = (
    "send a JWT signed (HS256) with your Organization's API key, with the claims 'slug' "
    "(your Company ID) and 'exp', as 'Authorization: Bearer <token>' or the 'jwt_payload' "
    "query parameter."
)
NOT_SIGNED_BY_KNOWN_KEY = (
    "the token is not signed with the API key of the Organization its 'slug' claim names"
)


def make_token(org: Organization, lifetime: int = 3600, **claims: Any) -> str:
    """A valid token for ``org``, expiring ``lifetime`` seconds from now."""
    payload: dict[str, Any] = {"slug": org.slug, "exp": int(time.time()) + lifetime}
    payload.update(claims)
    return jwt.encode(payload, org.api_key, algorithm=ALGORITHM)


def token_from(spec: Spec, headers: Headers, query: QueryParams) -> str | None:
    """The token of a request: the Bearer header first, else the ``jwt_payload`` parameter.

    Two ``Authorization`` headers, or two ``jwt_payload`` parameters, are refused (401):
    which one counts would be a guess.
    """
    values = headers.getlist("authorization")
    if len(values) > 1:
        raise _refuse(spec, "the request has more than one Authorization header")
    if values:
        scheme, _, value = values[0].strip().partition(" ")
        return value.strip() if scheme.lower() == "bearer" and value.strip() else ""
    name = query_token_name(spec)
    sent = query.getlist(name) if name else []
    if len(sent) > 1:
        raise _refuse(spec, f"the request has more than one {name!r} query parameter")
    return sent[0] if sent else None


@functools.lru_cache(maxsize=8)
def query_token_name(spec: Spec) -> str | None:
    """The query parameter the spec lets carry the token (``jwt_payload``), if any."""
    return next((c.name for c in carriers(spec) if c.location == "query"), None)


def authenticate(
    spec: Spec,
    token: str | None,
    organizations: Mapping[str, Organization],
    *,
    lenient: bool = False,
    leeway: int = 0,
    flaws: frozenset[str] = frozenset(),
    decoy_key: str = "",
) -> tuple[Organization, float]:
    """The caller's Organization and the token's expiry, or a 401 saying what is wrong.

    ``lenient`` is the planted bug for ``auth-required``: the signature, algorithm and expiry
    are not checked (a known ``slug`` is still needed to pick the Organization). ``leeway`` is
    the spec's clock-skew allowance on ``exp``. ``flaws`` plant narrower auth bugs:
    ``auth-required:any-org-key`` (any Organization's key signs for any ``slug``) and
    ``auth-required:exp-optional`` (a token without ``exp`` is accepted); the caller passes
    ``LONG_LEEWAY`` as ``leeway`` for the planted ``exp-leeway``.
    """
    if token is None:
        raise _refuse(spec, "no token was sent")
    if not token:
        raise _refuse(spec, "the Authorization header is not of the form 'Bearer <token>'")
    if len(token) > MAX_TOKEN:
        raise _refuse(spec, f"the token is longer than {MAX_TOKEN} characters")
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError as exc:
        raise _refuse(spec, f"the token is not a well-formed JWT ({str(exc)[:200]})") from exc
    slug = unverified.get("slug")
    if not isinstance(slug, str) or not slug:
        raise _refuse(spec, "the token has no 'slug' claim naming your Company ID")
    org = organizations.get(slug)
    if lenient and org is not None:
        return org, math.inf
    keys = [org.api_key if org is not None else (decoy_key or secrets.token_hex(32))]
    if "auth-required:any-org-key" in flaws:
        keys += [o.api_key for o in organizations.values() if o.api_key != keys[0]]
    required = ["slug"] if "auth-required:exp-optional" in flaws else ["exp", "slug"]
    try:
        claims = _decode(token, keys, required, leeway)
    except jwt.InvalidSignatureError as exc:
        raise _refuse(spec, NOT_SIGNED_BY_KNOWN_KEY) from exc
    except jwt.ExpiredSignatureError as exc:
        raise _refuse(spec, "the token has expired") from exc
    except jwt.InvalidAlgorithmError as exc:
        raise _refuse(spec, "the token is not signed with HS256") from exc
    except jwt.MissingRequiredClaimError as exc:
        raise _refuse(spec, f"the token lacks the {exc.claim!r} claim") from exc
    except jwt.InvalidTokenError as exc:
        raise _refuse(spec, f"the token is not valid ({str(exc)[:200]})") from exc
    if org is None or not hmac.compare_digest(str(claims["slug"]), org.slug):
        raise _refuse(spec, NOT_SIGNED_BY_KNOWN_KEY)
    if "exp" not in claims:  # only with the planted exp-optional flaw
        return org, math.inf
    return org, _expiry(spec, claims["exp"])


def _decode(token: str, keys: list[str], required: list[str], leeway: int) -> dict[str, Any]:
    """The verified claims, trying each key in turn (only planted bugs pass more than one)."""
    for key in keys[:-1]:
        try:
            return dict(jwt.decode(token, key, algorithms=[ALGORITHM], leeway=leeway))
        except jwt.InvalidSignatureError:
            continue
    return dict(
        jwt.decode(
            token, keys[-1], algorithms=[ALGORITHM], options={"require": required}, leeway=leeway
        )
    )


def _expiry(spec: Spec, exp: object) -> float:
    """``exp`` as seconds since the epoch, if it is a usable JSON number."""
    # PyJWT converts a string such as "9999999999"; RFC 7519 wants a JSON number.
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        raise _refuse(spec, "the token's 'exp' claim must be a number of seconds since the epoch")
    if (isinstance(exp, float) and not math.isfinite(exp)) or abs(exp) > MAX_EXP:
        raise _refuse(spec, f"the token's 'exp' claim must be a finite number of at most {MAX_EXP}")
    return float(exp)


#: Looks up an Organization the default world does not hold (a sandbox's), or None.
Finder = Callable[[str], Awaitable[Organization | None]]


def unverified_slug(token: str) -> str | None:
    """The ``slug`` claim of a token, read without verifying it (None if there is none)."""
    try:
        slug = jwt.decode(token, options={"verify_signature": False}).get("slug")
    except jwt.InvalidTokenError:
        return None
    return slug if isinstance(slug, str) and slug else None


class Authenticator:
    """``authenticate`` with a cache of tokens already verified, keyed by the token's text.

    ``organizations`` are the default world's; ``find`` looks up any other slug (a sandbox's
    Organization). A token's signature either matches its Organization's (fixed) key or not,
    so a token verified once need not be verified again; only its expiry is re-checked on each
    use. The cache is bounded in entries and in bytes of token text, and emptied when either
    is full.
    """

    #: Tokens remembered at most.
    SIZE = 4096
    #: Bytes of token text remembered at most (mock limit).
    BYTES = 4 * 1024 * 1024

    def __init__(
        self,
        spec: Spec,
        organizations: Mapping[str, Organization],
        *,
        find: Finder | None = None,
        lenient: bool = False,
        flaws: frozenset[str] = frozenset(),
        long_leeway: bool = False,
    ) -> None:
        self.spec = spec
        self.organizations = organizations
        self.find = find
        self.lenient = lenient
        self.flaws = flaws
        self.leeway = exp_leeway_seconds(spec)
        if long_leeway:  # far more skew than the spec allows (planted, or documented-only)
            self.leeway = max(self.leeway, LONG_LEEWAY)
        #: Checked against an unknown Company ID's token, so timing tells little.
        self.decoy_key = secrets.token_hex(32)
        self._verified: dict[str, tuple[Organization, float]] = {}
        self._bytes = 0

    async def __call__(self, token: str | None) -> Organization:
        if token:
            hit = self._verified.get(token)
            if hit is not None:
                org, expires = hit
                if time.time() < expires + self.leeway:
                    return org
                del self._verified[token]
                self._bytes -= len(token)
        org, expires = authenticate(
            self.spec,
            token,
            await self._known(token),
            lenient=self.lenient,
            leeway=self.leeway,
            flaws=self.flaws,
            decoy_key=self.decoy_key,
        )
        if token and not self.lenient and not self.flaws:
            if len(self._verified) >= self.SIZE or self._bytes + len(token) > self.BYTES:
                self._verified.clear()
                self._bytes = 0
            self._verified[token] = (org, expires)
            self._bytes += len(token)
        return org

    async def _known(self, token: str | None) -> Mapping[str, Organization]:
        """The default world's Organizations, plus the one the token's slug names elsewhere."""
        if self.find is None or not token or len(token) > MAX_TOKEN:
            return self.organizations
        slug = unverified_slug(token)
        if slug is None or slug in self.organizations:
            return self.organizations
        org = await self.find(slug)
        return self.organizations if org is None else {**self.organizations, slug: org}

    @property
    def cached_bytes(self) -> int:
        """Bytes of token text the cache holds."""
        return self._bytes


def _refuse(spec: Spec, reason: str) -> ApiError:
    return ApiError.for_rule(
        spec,
        RULE,
        f"Authentication failed: {reason}; {HOW}",
        headers={"WWW-Authenticate": "Bearer"},
    )
