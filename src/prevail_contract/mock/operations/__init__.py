"""The mock's operation modules, one per operationId of the spec (``<operationId>.py``).

Each module defines ``endpoint(state, entry)``: the ASGI app that answers the operation (or
``None`` when a planted bug leaves it out), built once from the app's ``MockState`` and the
operation's registry entry (:mod:`prevail_contract.spec.operation_registry`). ``mock.app`` routes
every entry of the registry to its module; nothing else names an operation.
"""
