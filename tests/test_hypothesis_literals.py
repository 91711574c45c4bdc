"""The suite's Hypothesis draws no literal from local modules: what a seed generates does not
depend on what the process imported or on how the kit is installed."""

from __future__ import annotations

import textwrap
from pathlib import Path

from hypothesis.internal.conjecture import providers

from tests.plugins.check import run_python

SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    import literal_bait  # a local module, as the kit's are in an editable install
    from hypothesis.internal.conjecture import providers
    from contract_tests.support.hypothesis_literals import forget_local_literals

    before = "prevail-literal-bait" in providers._get_local_constants().strings
    forget_local_literals()
    after = "prevail-literal-bait" in providers._get_local_constants().strings
    print(before, after, len(providers.CONSTANTS_CACHE.cache))
    """
)


def test_the_names_replaced_are_still_hypothesis_s() -> None:
    # Hypothesis is pinned exactly; an upgrade that renames these must fail here, not silently
    assert callable(providers._get_local_constants)
    assert hasattr(providers.CONSTANTS_CACHE, "cache")


def test_a_local_module_s_literals_are_drawn_before_and_not_after(tmp_path: Path) -> None:
    bait = tmp_path / "bait"
    bait.mkdir()
    (bait / "literal_bait.py").write_text('BAIT = "prevail-literal-bait"\n')
    done = run_python("-c", SCRIPT, str(bait))
    assert done.stdout.split() == ["True", "False", "0"], done.stdout + done.stderr


AFTER_A_RUN = textwrap.dedent(
    """
    import sys, tempfile
    from hypothesis import core, settings
    from hypothesis.internal.conjecture import providers
    from prevail_contract.cli import main

    settings.register_profile("fast", max_examples=77)  # the host's own profile of that name
    settings.load_profile("fast")
    own = providers._get_local_constants, providers.CONSTANTS_CACHE
    with tempfile.TemporaryDirectory() as reports:
        code = main(["check", "--only", "request-envelope", "--seed", "3", "--report-dir", reports])
    print(code, settings.get_current_profile_name(), settings.default.max_examples,
          (providers._get_local_constants, providers.CONSTANTS_CACHE) == own,
          core.global_force_seed, file=sys.stderr)
    """
)


def test_a_run_leaves_the_process_s_hypothesis_as_it_found_it() -> None:
    """The suite's profile, its literal switch and its forced seed hold for its session only: a
    process that runs it draws as before afterwards, with its own profile of the same name
    kept."""
    done = run_python("-c", AFTER_A_RUN)
    said = done.stderr.split()[-5:]
    assert said == ["0", "fast", "77", "True", "None"], done.stdout + done.stderr
