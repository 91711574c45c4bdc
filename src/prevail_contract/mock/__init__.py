"""A stateful mock of the Prevail Edit Sessions API that enforces the spec's rule catalogue.

Beside the contract suite, above the spec model: it never imports the suite, its runtime or the
runner. This package's surface (the app factory, the plantable bugs, the environment a target
needs) is all that the suite and the runner may import of it.
"""

from prevail_contract.mock.app import create_app
from prevail_contract.mock.bugs import PLANTABLE_BUGS
from prevail_contract.mock.environment import ADMIN_TOKEN_VARIABLE, target_environment

__all__ = ["ADMIN_TOKEN_VARIABLE", "PLANTABLE_BUGS", "create_app", "target_environment"]
