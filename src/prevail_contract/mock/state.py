"""The state one mock app serves from, built once by :func:`prevail_contract.mock.app.create_app`.

The operation modules (``mock.operations``) build their endpoints from it; it is its own module
so that they need not import the app that routes to them.
"""

from __future__ import annotations

from dataclasses import dataclass

from prevail_contract.mock.auth import Authenticator
from prevail_contract.mock.facts import Facts
from prevail_contract.mock.faults import FaultBook
from prevail_contract.mock.fixtures import Fixtures
from prevail_contract.mock.pipeline import Check, Services
from prevail_contract.mock.presentation import Presentation
from prevail_contract.mock.responses import ResponseChecker
from prevail_contract.mock.store import Store, Worlds
from prevail_contract.mock.validation import BodyValidator
from prevail_contract.spec import Spec
from prevail_contract.spec.operation_registry import OperationEntry


@dataclass
class MockState:
    """Everything one app instance serves from: spec, facts, fixtures, store and checks."""

    spec: Spec
    facts: Facts
    fixtures: Fixtures
    store: Store
    worlds: Worlds
    bugs: frozenset[str]
    validate_responses: bool
    body_validator: BodyValidator
    session_order: tuple[str, ...]
    authenticator: Authenticator
    #: What the edit's checks check with.
    services: Services
    #: The edit's checks, in the order they run.
    steps: tuple[Check, ...]
    #: The reading of the contract served (``full`` or ``documented``) and how it answers.
    presentation: Presentation
    #: The injected faults of every world (``faults_api``).
    faults: FaultBook
    #: Whether the admin API (``/__mock__/``) is served.
    admin_api: bool = True

    def response_checker(self, entry: OperationEntry) -> ResponseChecker | None:
        """What checks an operation's answers against the spec (when the app validates them;
        the documented reading's refusals are its own, so only its successes are checked)."""
        if not self.validate_responses:
            return None
        refusals = not self.presentation.documented
        return ResponseChecker(self.spec, entry.operation_id, entry.method, refusals=refusals)
