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
