"""schemathesis's Hypothesis test for each operation of a schema, to be run as the suite likes.

schemathesis's pytest integration runs the operations of a schema one after another inside one
pytest test; the suite runs them side by side instead (``runtime/together.py``). The tests
are built as that integration builds them (``schemathesis.pytest.lazy.get_all_tests``:
examples, coverage cases and fuzzing as the schema's configuration enables them, each
operation seeded from the run's seed), so what is generated is what the integration would
generate. That function is not public API; schemathesis is pinned exactly, and the suite's own
tests run it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schemathesis.checks import load_all_checks
from schemathesis.core.result import Ok
from schemathesis.pytest.lazy import get_all_tests


def operation_tests(schema: Any, test_func: Callable[..., None]) -> list[Callable[..., None]]:
    """One Hypothesis test per operation of ``schema``, each calling ``test_func(case, **kw)``
    for its cases (called with the keywords ``test_func`` takes besides ``case``).

    A definition schemathesis cannot build a test for raises its error here.
    """
    load_all_checks()  # the checks schemathesis's own runner loads before any test
    tests: list[Callable[..., None]] = []
    for result in get_all_tests(schema=schema, test_func=test_func, settings=None, given_kwargs={}):
        if not isinstance(result, Ok):
            raise result.err()
        _operation, test = result.ok()
        tests.append(test)
    return tests
