"""The operation registry: one entry per operationId, read from the spec's ``x-operation``.

Each operation of the spec states, in its ``x-operation`` extension, its **role** (the name
the kit's modules ask for it by, such as ``edit`` or ``list``), its **nature** (``read``:
changes nothing; ``write``: may change a Session) and its **live** policy, what may be sent to
a real server (:data:`LIVE_POLICIES`). No module decides what an operation is from its method
or path: it asks this registry. An operationId names its own modules by convention: the
mock's handler is ``prevail_contract.mock.operations.<operationId>`` and the suite's is
``contract_tests.operations.<operationId>`` (each package may be extended with more
directories through its ``__path__``); a new operation is a spec entry plus those two files.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, cast

from prevail_contract.errors import SpecError
from prevail_contract.spec.operations import Operation

if TYPE_CHECKING:
    from prevail_contract.spec.model import Spec

#: The extension on each operation that holds its registry entry.
EXTENSION = "x-operation"
Nature = Literal["read", "write"]
NATURES: tuple[Nature, ...] = ("read", "write")
LivePolicy = Literal["free", "given-sessions", "disposable-sessions", "absent-only"]
#: What each live policy lets the suite send to a real (live) server.
LIVE_POLICIES: dict[LivePolicy, str] = {
    "free": "as freely as it likes (a read changes nothing)",
    "given-sessions": (
        "a change only for the Sessions the run was given (any other Session, found or made "
        "up, gets only a body no server can apply), with invites to reserved addresses "
        "within the run's invite cap"
    ),
    "disposable-sessions": (
        "only to the Sessions the user listed as disposable (a fixture variable) or to a "
        "made-up absent id: for a change that cannot be undone, such as a cancel"
    ),
    "absent-only": "only with a made-up absent id (nothing is carried out on a real Session)",
}
#: Which live policies each nature may have (a write is never ``free``).
_POLICIES_OF: dict[Nature, tuple[LivePolicy, ...]] = {
    "read": ("free", "given-sessions", "disposable-sessions", "absent-only"),
    "write": ("given-sessions", "disposable-sessions", "absent-only"),
}
_ROLE = re.compile(r"[a-z][a-z0-9-]*")
#: The roles the kit's shared modules ask for: the write whose checks ``x-check-order`` orders
#: (the mock's pipeline, its facts, the suite's edit probes) and the read that lists Sessions
#: (the suite's reads of state).
EDIT_ROLE = "edit"
LIST_ROLE = "list"
#: The package holding each operation's mock handler module, and the suite's counterpart.
MOCK_PACKAGE = "prevail_contract.mock.operations"
SUITE_PACKAGE = "contract_tests.operations"
#: What a mock handler module must define, and what a suite module must define.
MOCK_NAMES = ("endpoint",)
SUITE_NAMES = ("SHAPE_RULE", "rules_checked", "builtin_rule")


@dataclass(frozen=True)
class OperationEntry:
    """One operation of the spec with its ``x-operation`` facts and its modules' names."""

    operation: Operation
    role: str
    nature: Nature
    live: LivePolicy

    @property
    def operation_id(self) -> str:
        """The operationId, which names the operation's modules."""
        return self.operation.operation_id

    @property
    def method(self) -> str:
        """The HTTP method, upper case (``PATCH``)."""
        return self.operation.method.upper()

    def path_for(self, *values: str) -> str:
        """The operation's path with its parameters filled in order (values taken as given)."""
        filled = iter(values)
        return re.sub(r"\{[^}]+\}", lambda _: next(filled), self.operation.path)

    @property
    def mock_module_name(self) -> str:
        """``prevail_contract.mock.operations.<operationId>``."""
        return f"{MOCK_PACKAGE}.{self.operation_id}"

    @property
    def suite_module_name(self) -> str:
        """``contract_tests.operations.<operationId>``."""
        return f"{SUITE_PACKAGE}.{self.operation_id}"

    def mock_module(self) -> ModuleType:
        """The mock's handler module of this operation (imported on first use)."""
        return _module(self.mock_module_name, MOCK_NAMES)

    def suite_module(self) -> ModuleType:
        """The suite's module of this operation (imported on first use)."""
        return _module(self.suite_module_name, SUITE_NAMES)


class OperationRegistry:
    """Every operation's entry, by operationId and by role, and the request matcher."""

    def __init__(self, entries: tuple[OperationEntry, ...], base_path: str) -> None:
        self.entries = entries
        self.base_path = base_path
        self._by_id = {e.operation_id: e for e in entries}
        self._patterns = [(_path_pattern(base_path + e.operation.path), e) for e in entries]

    def __iter__(self) -> Iterator[OperationEntry]:
        return iter(self.entries)

    def __getitem__(self, operation_id: str) -> OperationEntry:
        if operation_id not in self._by_id:
            known = ", ".join(self._by_id)
            raise SpecError(f"no operation {operation_id!r} in the spec; known: {known}")
        return self._by_id[operation_id]

    def role(self, role: str) -> OperationEntry:
        """The one operation whose ``x-operation`` role is ``role``."""
        found = [e for e in self.entries if e.role == role]
        if len(found) != 1:
            roles = ", ".join(f"{e.operation_id}: {e.role}" for e in self.entries)
            raise SpecError(
                f"the kit needs exactly one operation with x-operation role {role!r}, "
                f"found {len(found)} ({roles})"
            )
        return found[0]

    def match(self, method: str, path: str) -> OperationEntry | None:
        """The operation a request to ``path`` (base path included) with ``method`` calls
        (``HEAD`` calls the ``GET`` one), or ``None`` when no operation is declared for it."""
        wanted = method.upper()
        for pattern, entry in self._patterns:
            if pattern.fullmatch(path) and (
                entry.method == wanted or (wanted == "HEAD" and entry.method == "GET")
            ):
                return entry
        return None

    def on_path(self, path: str) -> tuple[OperationEntry, ...]:
        """The operations declared on a path of the spec (``/sessions/{remote_session_id}``)."""
        return tuple(e for e in self.entries if e.operation.path == path)


def operation_registry(spec: Spec) -> OperationRegistry:
    """The registry of ``spec`` (built once per loaded spec); a missing or malformed
    ``x-operation`` is a :class:`SpecError` naming the operation."""
    return _registry(spec)


@functools.lru_cache(maxsize=16)
def _registry(spec: Spec) -> OperationRegistry:
    entries = tuple(read_entry(op) for op in spec.operations)
    return OperationRegistry(entries, spec.base_path)


def read_entry(op: Operation) -> OperationEntry:
    """The entry ``op``'s ``x-operation`` states, or a :class:`SpecError` saying what is wrong."""
    problems = entry_problems(op)
    if problems:
        raise SpecError(problems[0])
    raw = cast(Mapping[str, Any], op.node[EXTENSION])
    return OperationEntry(
        operation=op,
        role=str(raw["role"]),
        nature=cast(Nature, raw["nature"]),
        live=cast(LivePolicy, raw["live"]),
    )


def entry_problems(op: Operation) -> list[str]:
    """What is wrong with ``op``'s ``x-operation`` (empty when it is a sound entry)."""
    where = f"{op.label} ({op.operation_id}) {EXTENSION}"
    raw = op.node.get(EXTENSION)
    if not isinstance(raw, Mapping):
        return [
            f"{where} is missing: each operation states its role, nature (read or write) and "
            f"live policy ({', '.join(LIVE_POLICIES)})"
        ]
    problems: list[str] = []
    unknown = sorted(set(raw) - {"role", "nature", "live"})
    if unknown:
        problems.append(f"{where} has unknown keys {unknown}: it takes role, nature and live")
    role, nature, live = raw.get("role"), raw.get("nature"), raw.get("live")
    if not isinstance(role, str) or not _ROLE.fullmatch(role):
        problems.append(f"{where}.role must be a lower-case word such as 'edit', got {role!r}")
    if nature not in NATURES:
        problems.append(f"{where}.nature must be 'read' or 'write', got {nature!r}")
    elif live not in _POLICIES_OF[nature]:
        allowed = ", ".join(_POLICIES_OF[nature])
        problems.append(f"{where}.live of a {nature} must be one of {allowed}, got {live!r}")
    if nature == "read" and op.method not in ("get", "head"):
        problems.append(f"{where}.nature is 'read' but {op.method.upper()} is not a safe method")
    if nature == "write" and op.method in ("get", "head"):
        problems.append(f"{where}.nature is 'write' but {op.method.upper()} must change nothing")
    if not op.declared_id:
        problems.append(f"{op.label} has no operationId, which names its modules")
    return problems


def registry_problems(spec: Spec, *, modules: bool = True) -> list[str]:
    """Every problem with the spec's registry: each operation's ``x-operation``, roles held by
    two operations, and (``modules``) a mock or suite module missing or lacking a name."""
    problems: list[str] = []
    entries: list[OperationEntry] = []
    for op in spec.operations:
        found = entry_problems(op)
        problems += found
        if not found:
            entries.append(read_entry(op))
    roles: dict[str, str] = {}
    for entry in entries:
        if entry.role in roles:
            problems.append(
                f"{entry.operation_id} x-operation.role {entry.role!r} is also "
                f"{roles[entry.role]}'s: each role names one operation"
            )
        roles.setdefault(entry.role, entry.operation_id)
        if modules:
            problems += _module_problems(entry.mock_module_name, MOCK_NAMES)
            problems += _module_problems(entry.suite_module_name, SUITE_NAMES)
    return problems


def _module_problems(name: str, needs: tuple[str, ...]) -> list[str]:
    package = name.rsplit(".", 1)[0]
    try:
        found = importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return [f"module {name} cannot be found: is {package.split('.')[0]} importable?"]
    if not found:
        return [f"module {name} is missing: each operation has its own module in {package}"]
    try:
        module = importlib.import_module(name)
    except Exception as exc:  # any import failure is the module's problem, shown as one
        return [f"module {name} does not import: {type(exc).__name__}: {exc}"]
    lacking = [n for n in needs if not hasattr(module, n)]
    return [f"module {name} lacks {', '.join(lacking)}"] if lacking else []


@functools.lru_cache(maxsize=64)
def _module(name: str, needs: tuple[str, ...]) -> ModuleType:
    problems = _module_problems(name, needs)
    if problems:
        raise SpecError(problems[0])
    return importlib.import_module(name)


def _path_pattern(path: str) -> re.Pattern[str]:
    """A path template as a regular expression (each ``{name}`` one non-empty segment)."""
    parts = re.split(r"(\{[^}]+\})", path)
    return re.compile(
        "".join("[^/]+" if p.startswith("{") and p.endswith("}") else re.escape(p) for p in parts)
    )
