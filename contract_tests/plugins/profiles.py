"""Hypothesis profiles of the contract suite: ``fast`` (CI, the default) and ``thorough``.

The profile is picked by ``PREVAIL_PROFILE``; the run's seed comes from ``PREVAIL_SEED`` (the
``check`` command also passes it to Hypothesis as ``--hypothesis-seed``).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, core, settings

from contract_tests.support.hypothesis_literals import (
    forget_local_literals,
    remember_local_literals,
)
from contract_tests.support.run_profile import profile_name, run_seed

__all__ = [
    "EXAMPLES",
    "HYPOTHESIS_PROFILES",
    "SCHEMATHESIS_EXAMPLES",
    "profile_name",
    "run_seed",
]

_COMMON = {
    "deadline": None,
    "database": None,
    "report_multiple_bugs": False,
    "print_blob": False,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
}
#: Examples per property test in each profile; schemathesis gets ``SCHEMATHESIS_EXAMPLES``.
EXAMPLES = {"fast": 12, "thorough": 100}
SCHEMATHESIS_EXAMPLES = {"fast": 60, "thorough": 500}

#: ``fast`` does not shrink: a failing example is reported as found, which keeps a failing run
#: about as quick as a passing one; ``thorough`` shrinks to the smallest failing request.
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target)
#: The name each profile is registered under with Hypothesis, apart from a host's own profiles.
HYPOTHESIS_PROFILES = {"fast": "prevail-contract-fast", "thorough": "prevail-contract-thorough"}
settings.register_profile(
    HYPOTHESIS_PROFILES["fast"],
    max_examples=EXAMPLES["fast"],
    phases=NO_SHRINK,
    **_COMMON,  # type: ignore[arg-type]
)
settings.register_profile(
    HYPOTHESIS_PROFILES["thorough"],
    max_examples=EXAMPLES["thorough"],
    **_COMMON,  # type: ignore[arg-type]
)


#: Hypothesis's profile and forced seed before the suite's session, put back when it ends.
_BEFORE: list[tuple[str, object]] = []


@pytest.hookimpl(tryfirst=True)  # before Hypothesis's plugin forces the run's seed
def pytest_configure(config: pytest.Config) -> None:
    _BEFORE.append((settings.get_current_profile_name(), core.global_force_seed))
    # per run, not at import: a second run in the same process may ask for another profile
    settings.load_profile(HYPOTHESIS_PROFILES[profile_name()])
    # the same seed draws the same cases whatever is imported and however the kit is installed
    forget_local_literals()


def pytest_unconfigure(config: pytest.Config) -> None:
    # the rest of the process draws as it did before the run (``--hypothesis-seed`` forced the
    # run's seed process-wide, and Hypothesis's plugin leaves it so)
    remember_local_literals()
    if _BEFORE:
        name, forced = _BEFORE.pop()
        settings.load_profile(name)
        core.global_force_seed = forced  # type: ignore[assignment]  # Hypothesis types it None
