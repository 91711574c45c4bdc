"""Hypothesis's draws made independent of what is imported: its literals from "local" modules
are switched off for the suite's runs.

Hypothesis (6.170) now and then draws a string or number written in a module it calls local
(imported, outside ``site-packages`` and the standard library), read from those modules' source
as they appear in ``sys.modules``. So the same seed generated other requests depending on what
the process had imported (a run against a served mock imports no mock code; the tests' warm
processes do) and on how the kit is installed (its modules are local in an editable install,
not from a wheel): 1,979 against 1,961 requests for one seed, with other cases. The suite's
strategies come from the spec, so those literals add nothing it needs. Hypothesis offers no
setting for it; this replaces the function its provider asks (Hypothesis is pinned exactly,
and ``tests/test_hypothesis_literals.py`` fails if the names go away) and empties the cache of
literals it already picked, so that a second run in one process draws like the first. Both
are put back when the suite's session ends, so that the rest of the process (another
Hypothesis user, in one process with a run) draws as it did before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis.internal.cache import LRUCache
from hypothesis.internal.conjecture import providers
from hypothesis.internal.constants_ast import Constants

__all__ = ["forget_local_literals", "remember_local_literals"]

#: How many choice kinds Hypothesis's own cache of permitted literals holds (its size).
_CACHE_SIZE = 1024


def _no_local_literals() -> Constants:
    return Constants()


#: What :func:`forget_local_literals` replaced, for :func:`remember_local_literals`.
_REPLACED: list[tuple[Callable[[], Constants], LRUCache[Any, Any]]] = []


def forget_local_literals() -> None:
    """Make Hypothesis draw no literal from local modules until :func:`remember_local_literals`,
    in this process."""
    if not _REPLACED:
        _REPLACED.append((providers._get_local_constants, providers.CONSTANTS_CACHE))
    providers._get_local_constants = _no_local_literals
    providers.CONSTANTS_CACHE = LRUCache(_CACHE_SIZE)


def remember_local_literals() -> None:
    """Put back what :func:`forget_local_literals` replaced (nothing if it replaced nothing)."""
    if _REPLACED:
        providers._get_local_constants, providers.CONSTANTS_CACHE = _REPLACED.pop()
