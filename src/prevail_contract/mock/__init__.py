"""A stateful mock of the Prevail Edit Sessions API that enforces the spec's rule catalogue."""

from prevail_contract.mock.app import create_app
from prevail_contract.mock.bugs import PLANTABLE_BUGS
from prevail_contract.mock.environment import target_environment

__all__ = ["PLANTABLE_BUGS", "create_app", "target_environment"]
