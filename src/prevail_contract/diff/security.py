"""Compare the security an operation demands: ways to authenticate, scopes, scheme definitions.

Part of the diff gate; its kinds are listed in :mod:`prevail_contract.diff.kinds`. Schemes are
matched by what a client must send (type, HTTP scheme, API key location and name), not by
their component name, so renaming a scheme is not a change on the wire.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prevail_contract.diff.context import Doc, Recorder, arr, obj
from prevail_contract.spec.operations import Operation

#: What a client must send for one security scheme, e.g. ``("http", "bearer")``.
Signature = tuple[str, ...]


class SecurityRules(Recorder):
    """The security rules, as a mixin of the document walker."""

    def security(self, old: Operation, new: Operation) -> None:
        location = f"{new.label} security"
        before = _security_alternatives(self.base, old.node)
        after = _security_alternatives(self.head, new.node)
        if before == after:
            self._scheme_renames(old, new)
            return
        if not before and after:
            if not any(not alt for alt in after):
                self.emit(
                    "security-added",
                    "operation",
                    location,
                    "authentication is now required ("
                    + " or ".join(_describe_alt({a: s}) for a, s in after.items())
                    + "): unauthenticated clients are refused",
                )
            return
        if before and not after:
            self.emit(
                "security-removed",
                "operation",
                location,
                "authentication is no longer required: credentials clients send are ignored",
            )
            return
        accounted: set[frozenset[Signature]] = set()
        for keys, scopes in before.items():
            if keys not in after:
                changed = self._changed_schemes(keys)
                translated = frozenset(changed.get(sig, (sig, ""))[0] for sig in keys)
                if changed and translated in after:
                    accounted.add(translated)
                    self.emit(
                        "security-scheme-changed",
                        "operation",
                        f"{location} " + ", ".join(sorted(name for _, name in changed.values())),
                        "; ".join(
                            f"security scheme {name} changed from {_describe_sig(sig)} to "
                            f"{_describe_sig(now)}"
                            for sig, (now, name) in sorted(changed.items())
                        )
                        + ": clients still send the old credentials and are refused",
                    )
                    continue
                self.emit(
                    "security-alternative-removed",
                    "operation",
                    location,
                    f"clients can no longer authenticate with {_describe_alt({keys: scopes})}"
                    ": clients using it are refused",
                )
                continue
            added = after[keys] - scopes
            dropped = scopes - after[keys]
            if added:
                self.emit(
                    "security-scopes-added",
                    "operation",
                    location,
                    f"{_describe_alt({keys: scopes})} now also needs scope(s) "
                    f"{', '.join(sorted(added))}: existing tokens may lack them",
                )
            if dropped:
                self.emit(
                    "security-scopes-removed",
                    "operation",
                    location,
                    f"{_describe_alt({keys: scopes})} no longer needs scope(s) "
                    f"{', '.join(sorted(dropped))}",
                )
        for keys, scopes in after.items():
            if keys not in before and keys not in accounted:
                self.emit(
                    "security-alternative-added",
                    "operation",
                    location,
                    f"clients may now also authenticate with {_describe_alt({keys: scopes})}",
                )

    def _changed_schemes(
        self, keys: frozenset[Signature]
    ) -> dict[Signature, tuple[Signature, str]]:
        """For the schemes of a removed alternative that still exist by name but with another
        definition: old signature → (new signature, scheme name)."""
        head_schemes = _schemes(self.head)
        out: dict[Signature, tuple[Signature, str]] = {}
        for name, signature in _schemes(self.base).items():
            if signature in keys and name in head_schemes and head_schemes[name] != signature:
                out[signature] = (head_schemes[name], name)
        return out

    def _scheme_renames(self, old: Operation, new: Operation) -> None:
        used_before = _used_scheme_names(self.base, old.node)
        used_after = _used_scheme_names(self.head, new.node)
        base_schemes, head_schemes = _schemes(self.base), _schemes(self.head)
        for name in sorted(used_before - used_after):
            for other in sorted(used_after - used_before):
                if base_schemes.get(name) == head_schemes.get(other):
                    self.emit(
                        "security-scheme-renamed",
                        "operation",
                        f"{new.label} security {other}",
                        f"security scheme {name} renamed to {other} with the same definition: "
                        "nothing changes on the wire",
                    )


def _schemes(doc: Doc) -> dict[str, Signature]:
    """Each security scheme's wire-level identity (what a client must send)."""
    raw = obj(obj(doc.document.get("components")).get("securitySchemes"))
    out: dict[str, Signature] = {}
    for name, node in raw.items():
        scheme, _ = doc.deref(node)
        if not isinstance(scheme, dict):
            continue
        kind = str(scheme.get("type", ""))
        if kind == "http":
            out[name] = (kind, str(scheme.get("scheme", "")).lower())
        elif kind == "apiKey":
            where = str(scheme.get("in", ""))
            key = str(scheme.get("name", ""))
            out[name] = (kind, where, key.lower() if where == "header" else key)
        elif kind == "oauth2":
            flows = obj(scheme.get("flows"))
            out[name] = (
                kind,
                *sorted(
                    f"{flow}:{obj(spec).get('tokenUrl', '')}:"
                    f"{obj(spec).get('authorizationUrl', '')}"
                    for flow, spec in flows.items()
                ),
            )
        elif kind == "openIdConnect":
            out[name] = (kind, str(scheme.get("openIdConnectUrl", "")))
        else:
            out[name] = (kind,)
    return out


def _security_alternatives(
    doc: Doc, op: Mapping[str, Any]
) -> dict[frozenset[Signature], frozenset[str]]:
    """The ways to authenticate: each a set of scheme signatures, with the scopes required."""
    raw = arr(op["security"] if "security" in op else doc.document.get("security"))
    schemes = _schemes(doc)
    out: dict[frozenset[Signature], frozenset[str]] = {}
    for requirement in raw:
        if not isinstance(requirement, dict):
            continue
        keys = frozenset(schemes.get(name, ("undefined", name)) for name in requirement)
        scopes = frozenset(
            f"{name}:{scope}" for name, listed in requirement.items() for scope in arr(listed)
        )
        out[keys] = out.get(keys, frozenset()) | scopes
    return out


def _used_scheme_names(doc: Doc, op: Mapping[str, Any]) -> set[str]:
    raw = arr(op["security"] if "security" in op else doc.document.get("security"))
    return {name for requirement in raw if isinstance(requirement, dict) for name in requirement}


def _describe_sig(signature: Signature) -> str:
    kind = signature[0]
    if kind == "http":
        return f"HTTP {signature[1]}"
    if kind == "apiKey":
        return f"API key in {signature[1]} {signature[2]}"
    return " ".join(signature)


def _describe_alt(alternatives: dict[frozenset[Signature], frozenset[str]]) -> str:
    (keys, _), *_ = alternatives.items()
    if not keys:
        return "no credentials"
    return " + ".join(sorted(_describe_sig(sig) for sig in keys))
