"""Load the OpenAPI document and expose its parts: operations, schemas, examples and rules.

What each operation is for (its role, read or write nature and live policy) is not read here
but by :mod:`prevail_contract.spec.operation_registry`, from the operation's ``x-operation``.

The mock, the contract checks, the docs builder and the lint all read the spec through this
module, so that none of them repeats a schema, an example or a rule the spec already states.
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

import jsonschema
import referencing
import referencing.jsonschema
import yaml

from prevail_contract.errors import SpecError
from prevail_contract.spec import yaml_values
from prevail_contract.spec.operations import Operation, walk_operations
from prevail_contract.spec.paths import SPEC_PATH, SPEC_VAR

#: Where the document is registered so that ``#/components/...`` refs resolve.
SPEC_URI = "urn:prevail:openapi"

_T = TypeVar("_T")
RuleSource = Literal["documented", "assumed"]
RuleKind = Literal["rejection", "behaviour"]


@dataclass(frozen=True)
class Rule:
    """One entry of an operation's ``x-rules`` catalogue (ids are unique across the spec)."""

    id: str
    source: RuleSource
    kind: RuleKind
    statement: str
    #: The status that shows the rule at work: the refusal's status for a rejection rule,
    #: 200 for a rule visible in a successful answer, or a range such as ``"400-499"``.
    status: int | str
    code: str | None = None
    request_example: str | None = None
    response_example: str | None = None
    #: operationId of the operation whose ``x-rules`` declares the rule.
    operation: str = ""

    @property
    def documented(self) -> bool:
        """Whether Prevail's documentation states the rule (as opposed to our assumption)."""
        return self.source == "documented"


@dataclass(frozen=True)
class Example:
    """A named example under ``components/examples``."""

    name: str
    summary: str
    value: Any
    description: str = ""
    #: The ``x-request-setup`` hints: how to send a request example (token, session, raw
    #: body, content type, padding) and whether it is meant to break the request schema.
    setup: Mapping[str, Any] = field(default_factory=dict)


class Spec:
    """A loaded OpenAPI document with helpers to reach its parts by name."""

    def __init__(self, document: dict[str, Any], path: Path | None = None) -> None:
        self.document = document
        self.path = path
        self._registry: referencing.Registry[Any] = referencing.Registry().with_resource(
            SPEC_URI, referencing.jsonschema.DRAFT202012.create_resource(document)
        )
        self.operations: tuple[Operation, ...] = ()
        self.rules: tuple[Rule, ...] = ()
        self.operations, self.rules = self._read_operations()

    # -- navigation ---------------------------------------------------------------------

    def operation_by_id(self, operation_id: str) -> Operation:
        """The operation with this ``operationId``."""
        by_id = {op.operation_id: op for op in self.operations}
        return _find(by_id, operation_id, f"no operation {operation_id!r} in the spec; known")

    def rule_operation(self, rule_id: str) -> Operation:
        """The operation whose ``x-rules`` declares ``rule_id``."""
        return self.operation_by_id(self.rule(rule_id).operation)

    def rules_of(self, operation_id: str) -> tuple[Rule, ...]:
        """Every rule that applies to an operation: declared there or referenced by id."""
        return tuple(self.rule(r) for r in self.operation_by_id(operation_id).rules)

    @property
    def version(self) -> str:
        """``info.version`` of the document."""
        return str(self.document.get("info", {}).get("version", ""))

    @property
    def base_path(self) -> str:
        """The path part of the first server URL, e.g. ``/api/v1``."""
        from urllib.parse import urlsplit

        servers = self.document.get("servers") or [{"url": "/"}]
        return urlsplit(str(servers[0]["url"])).path.rstrip("/")

    def resolve(self, ref: str) -> Any:
        """Return the node a local ``#/...`` JSON pointer names."""
        if not ref.startswith("#/"):
            raise SpecError(f"only local '#/...' refs are allowed, got {ref!r}")
        node: Any = self.document
        for raw in ref[2:].split("/"):
            part = raw.replace("~1", "/").replace("~0", "~")
            try:
                node = node[int(part)] if isinstance(node, list) else node[part]
            except (KeyError, IndexError, ValueError, TypeError) as exc:
                raise SpecError(f"ref {ref!r} does not resolve (stopped at {part!r})") from exc
        return node

    def deref(self, node: Any) -> Any:
        """Follow ``$ref`` chains until a node that is not a reference."""
        seen: set[str] = set()
        while isinstance(node, Mapping) and "$ref" in node:
            ref = str(node["$ref"])
            if ref in seen:
                raise SpecError(f"circular $ref {ref!r}")
            seen.add(ref)
            node = self.resolve(ref)
        return node

    def schema_ref(self, name: str) -> dict[str, Any]:
        """A schema that points at ``components/schemas/<name>`` inside the registered document."""
        if name not in self.document.get("components", {}).get("schemas", {}):
            raise SpecError(f"no schema named {name!r} under components/schemas")
        return {"$ref": f"{SPEC_URI}#/components/schemas/{name}"}

    def validator(self, schema: Mapping[str, Any] | str) -> jsonschema.Draft202012Validator:
        """A JSON Schema 2020-12 validator with format checks, refs resolved within the spec.

        ``schema`` is a component name or a schema node taken from the document.
        """
        node = self.schema_ref(schema) if isinstance(schema, str) else _rebase(schema)
        return jsonschema.Draft202012Validator(
            node, registry=self._registry, format_checker=FORMAT_CHECKER
        )

    # -- the parts the kit uses ----------------------------------------------------------

    def example(self, name: str) -> Example:
        """The named example ``components/examples/<name>``."""
        try:
            raw = self.document["components"]["examples"][name]
        except KeyError as exc:
            raise SpecError(f"no example named {name!r} under components/examples") from exc
        return Example(
            name=name,
            summary=str(raw.get("summary", "")),
            description=str(raw.get("description", "")),
            value=raw.get("value"),
            setup=dict(raw.get("x-request-setup") or {}),
        )

    def examples(self) -> dict[str, Example]:
        """Every named example, by name."""
        names = self.document.get("components", {}).get("examples", {})
        return {name: self.example(name) for name in names}

    def rule(self, rule_id: str) -> Rule:
        """The catalogue entry with this id."""
        by_id = {rule.id: rule for rule in self.rules}
        return _find(by_id, rule_id, f"no rule {rule_id!r} in x-rules; known ids")

    def time_zones(self) -> dict[str, str]:
        """The accepted Rails zone names mapped to their IANA zones (``TimeZoneName``; where a
        reading of the spec moved its ``enum`` away, the names ``x-iana-zones`` maps)."""
        schema = self.document["components"]["schemas"]["TimeZoneName"]
        mapping = dict(schema.get("x-iana-zones") or {})
        names = list(schema.get("enum") or mapping)
        missing = [n for n in names if n not in mapping]
        if missing:
            raise SpecError(f"TimeZoneName x-iana-zones lacks {missing[:3]}")
        return {name: str(mapping[name]) for name in names}

    def _read_operations(self) -> tuple[tuple[Operation, ...], tuple[Rule, ...]]:
        operations: list[Operation] = []
        rules: list[Rule] = []
        declared: dict[str, str] = {}
        references: list[tuple[str, str]] = []
        paths = self.document.get("paths")
        if not isinstance(paths, Mapping) or not paths:
            raise SpecError("the spec has no paths")
        for op in walk_operations(self.document, self.deref):
            where = f"{op.label} x-rules"
            raw_rules = op.node.get("x-rules")
            if not isinstance(raw_rules, list) or not raw_rules:
                raise SpecError(f"{op.label} has no 'x-rules' rule catalogue")
            ids: list[str] = []
            for index, raw in enumerate(raw_rules):
                if isinstance(raw, str):
                    references.append((f"{where}[{index}]", raw))
                    ids.append(raw)
                    continue
                rule = _read_rule(raw, f"{where}[{index}]", op.operation_id)
                if rule.id in declared:
                    raise SpecError(
                        f"{where}[{index}]: duplicate rule id {rule.id!r} "
                        f"(already declared by {declared[rule.id]})"
                    )
                declared[rule.id] = op.operation_id
                rules.append(rule)
                ids.append(rule.id)
            operations.append(replace(op, rules=tuple(ids)))
        for where, rule_id in references:
            if rule_id not in declared:
                raise SpecError(f"{where} names {rule_id!r}, which no operation declares")
        return tuple(operations), tuple(rules)


def _find(items: Mapping[str, _T], key: str, missing: str) -> _T:
    """``items[key]``, or a :class:`SpecError` saying ``missing`` and what is known."""
    if key not in items:
        raise SpecError(f"{missing}: {', '.join(items)}")
    return items[key]


def _read_rule(raw: Any, where: str, operation_id: str) -> Rule:
    if not isinstance(raw, Mapping):
        raise SpecError(f"{where} must be a rule object or the id of a rule declared elsewhere")
    missing = [k for k in ("id", "source", "kind", "statement", "status") if k not in raw]
    if missing:
        raise SpecError(f"{where} lacks {', '.join(missing)}")
    if raw["source"] not in ("documented", "assumed"):
        raise SpecError(f"{where}: source must be 'documented' or 'assumed'")
    if raw["kind"] not in ("rejection", "behaviour"):
        raise SpecError(f"{where}: kind must be 'rejection' or 'behaviour'")
    examples = raw.get("examples") or {}
    return Rule(
        id=str(raw["id"]),
        source=raw["source"],
        kind=raw["kind"],
        statement=" ".join(str(raw["statement"]).split()),
        status=raw["status"],
        code=raw.get("code"),
        request_example=_example_name(examples.get("request")),
        response_example=_example_name(examples.get("response")),
        operation=operation_id,
    )


def is_email(value: object) -> bool:
    """RFC 5321 limits on top of jsonschema's own ``email`` check (which only wants an ``@``).

    Hand-written because no installed library applies them, while schemathesis's generator
    does: without them the mock would accept addresses that schemathesis sends as invalid.
    """
    if not isinstance(value, str):
        return True
    local, at, domain = value.rpartition("@")
    return (
        bool(at and local and domain)
        and len(local) <= 64
        and len(value) <= 254
        and all(0 < len(label) <= 63 for label in domain.split("."))
    )


#: jsonschema's 2020-12 format checks, with ``email`` held to RFC 5321's length limits.
FORMAT_CHECKER = copy.deepcopy(jsonschema.Draft202012Validator.FORMAT_CHECKER)
FORMAT_CHECKER.checks("email")(is_email)


def is_date(value: object) -> bool:
    """The ``date`` format exactly as ``FORMAT_CHECKER`` reads it (a real calendar date, years
    0001 to 9999), for validators that bring their own reading (jsonschema-rs takes year 0000)."""
    return bool(FORMAT_CHECKER.conforms(value, "date"))


#: The format functions a second validator must use so that it agrees with ``FORMAT_CHECKER``.
SHARED_FORMATS = {"email": is_email, "date": is_date}


def _example_name(ref_node: Any) -> str | None:
    if not isinstance(ref_node, Mapping) or "$ref" not in ref_node:
        return None
    ref = str(ref_node["$ref"])
    prefix = "#/components/examples/"
    if not ref.startswith(prefix):
        raise SpecError(f"rule example ref {ref!r} must point under {prefix}")
    return ref[len(prefix) :]


def _rebase(node: Any) -> Any:
    """Copy a schema node, pointing its local refs at the registered document."""
    if isinstance(node, Mapping):
        out = {k: _rebase(v) for k, v in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            out["$ref"] = SPEC_URI + ref
        return out
    if isinstance(node, list):
        return [_rebase(v) for v in node]
    return node


def parse_document(text: str, where: str) -> dict[str, Any]:
    """Parse YAML or JSON OpenAPI text into a dict; errors name ``where`` it came from."""
    try:
        document = yaml_values.load(text)  # a bad date is a YAMLError at its line
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise SpecError(f"{where} is not valid YAML: {problem}{at}") from exc
    if not isinstance(document, dict) or "openapi" not in document:
        raise SpecError(f"{where} is not an OpenAPI document (no 'openapi' key)")
    return document


def read_document(path: Path) -> dict[str, Any]:
    """Parse a YAML or JSON OpenAPI file into a dict, with errors that name the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot read spec {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise SpecError(f"spec {path} is not UTF-8 text: {yaml_values.not_utf8(exc)}") from None
    return parse_document(text, str(path))


#: The kit's own spec (``paths.spec_path`` without ``$PREVAIL_SPEC``), as a string.
_KIT_SPEC = os.fspath(SPEC_PATH)


@functools.lru_cache(maxsize=8)
def _load_cached(path: str, version: tuple[int, int, int, int]) -> Spec:
    resolved = Path(path).resolve()
    return Spec(read_document(resolved), resolved)


def load_spec(path: Path | str | None = None) -> Spec:
    """Load the spec (default: ``$PREVAIL_SPEC`` or the repository's ``openapi/openapi.yaml``).

    Loads are cached per file and version (device, inode, modification time and size); treat
    the result as read-only. The suite asks for the spec on every request, so a cached answer
    costs one ``stat`` and no path resolution.
    """
    given = os.fspath(path) if path is not None else os.environ.get(SPEC_VAR) or _KIT_SPEC
    # absolute (against the working directory), so that a Spec's path is where it was found
    location = os.path.abspath(given)
    try:
        found = os.stat(location)
    except OSError as exc:
        raise SpecError(f"spec file not found: {Path(location)}") from exc
    version = (found.st_dev, found.st_ino, found.st_mtime_ns, found.st_size)
    return _load_cached(location, version)
