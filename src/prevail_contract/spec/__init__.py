"""The spec model: the OpenAPI document read once, and every fact the kit takes from it.

The bottom layer of the kit (above :mod:`prevail_contract.errors` only): the mock, the suite's
runtime, the suite, lint, docs and diff read the spec through this package, and it imports none
of them. Its modules:

- :mod:`~prevail_contract.spec.model`: :func:`load_spec` and :class:`Spec` (operations, schemas,
  named :class:`Example` s, the :class:`Rule` catalogue), the shared formats;
- :mod:`~prevail_contract.spec.operations`: the operations under ``paths``;
- :mod:`~prevail_contract.spec.operation_registry`: each operation's role, nature and live
  policy (``x-operation``);
- :mod:`~prevail_contract.spec.security`: the credential carriers and token leeway;
- :mod:`~prevail_contract.spec.violation_rules`: the rule each schema keyword is filed under;
- :mod:`~prevail_contract.spec.schema_nodes`: the schema nodes requests and answers reach, with
  their assumed keywords;
- :mod:`~prevail_contract.spec.documented_view`: the spec as documented (our assumptions off);
- :mod:`~prevail_contract.spec.examples`: every named example against its schema;
- :mod:`~prevail_contract.spec.fixture_variables`: the ``PREVAIL_*`` variables table;
- :mod:`~prevail_contract.spec.paths`: where the kit's own files are (checkout or wheel).

Nothing here parses a spec at import time: :func:`load_spec` reads one when asked (cached per
file and modification time), so one process can work on two specs.
"""

from __future__ import annotations

from prevail_contract.spec.model import (
    FORMAT_CHECKER,
    SHARED_FORMATS,
    SPEC_URI,
    Example,
    Rule,
    Spec,
    load_spec,
    parse_document,
    read_document,
)

__all__ = [
    "FORMAT_CHECKER",
    "SHARED_FORMATS",
    "SPEC_URI",
    "Example",
    "Rule",
    "Spec",
    "load_spec",
    "parse_document",
    "read_document",
]
