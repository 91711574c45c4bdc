"""The suite's operation modules, one per operationId of the spec (``<operationId>.py``).

Each module says how the schemathesis run files an exchange of its operation: ``SHAPE_RULE``
(the rule a malformed answer breaks), ``rules_checked(case, exchange)`` (the rules one
exchange judged, beyond those every operation shares) and ``builtin_rule(name, exchange)``
(the rule a failed built-in check concerns, or ``None`` for the shared filing).
:mod:`contract_tests.support.st_checks` finds the module through the operation registry
(:mod:`prevail_contract.spec.operation_registry`); nothing else names an operation.
"""
