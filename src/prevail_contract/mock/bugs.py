"""The planted bugs the mock can be started with (``--bug``), gathered from where each is declared.

A bug is declared by the code that plants it: each check step of ``pipeline`` (and the order
itself), the behaviour rules of ``rules.apply_edit``, the edit handler's answer (``edit``), the
list (``listing``) and any operation module of ``mock.operations`` that has a ``BUGS`` tuple
(found by walking the package, so a new operation's bugs need no edit here). Nothing here is a
hand-kept list: a new step or rule with a bug shows up in ``--bug``'s choices,
``prevail-contract mock --help`` and the error for an unknown one.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Collection

from prevail_contract.errors import ConfigError
from prevail_contract.mock import operations
from prevail_contract.mock.edit import EDIT_BUGS
from prevail_contract.mock.listing import LIST_ABSENT, LIST_BUGS
from prevail_contract.mock.pipeline import step_bugs
from prevail_contract.mock.rules import APPLY_BUGS
from prevail_contract.spec import Spec


def operation_bugs() -> tuple[str, ...]:
    """The ``BUGS`` of every module of ``mock.operations``, in module-name order."""
    found: list[str] = []
    for info in sorted(pkgutil.iter_modules(operations.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{operations.__name__}.{info.name}")
        found += [str(bug) for bug in getattr(module, "BUGS", ())]
    return tuple(found)


#: Every declared bug, in declaration order: the pipeline's steps, the behaviour rules, the
#: handlers' own, then the operation modules'.
DECLARED = tuple(
    dict.fromkeys((*step_bugs(), *APPLY_BUGS, *EDIT_BUGS, *LIST_BUGS, *operation_bugs()))
)
#: Bugs named by a rule id alone: each breaks that rule (``--bug RULE_ID``).
PLANTABLE_BUGS = tuple(bug for bug in DECLARED if ":" not in bug)
#: Narrower bugs, ``rule:kind``: each breaks its rule in one way only, for proving that a
#: particular probe of the contract suite is needed to catch it.
PLANTED_VARIANTS = tuple(bug for bug in DECLARED if ":" in bug)
#: Switches that are not rules: they make the mock a server that lacks something.
SWITCHES = (LIST_ABSENT,)
#: What ``--bug`` accepts.
CHOICES = (*PLANTABLE_BUGS, *SWITCHES, *PLANTED_VARIANTS)


def check_bugs(spec: Spec, bugs: Collection[str]) -> None:
    """A ``ConfigError`` for a bug nobody declares; a ``SpecError`` for one whose rule the
    spec's catalogue lacks."""
    unknown = sorted(set(bugs) - set(CHOICES))
    if unknown:
        raise ConfigError(
            f"unknown planted bug {', '.join(unknown)}; choose from {', '.join(CHOICES)}"
        )
    for bug in set(bugs) - set(SWITCHES):
        spec.rule(bug.split(":")[0])
