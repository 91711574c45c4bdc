"""Fixtures that hand tests the loaded spec and its parts."""

from __future__ import annotations

import pytest

from prevail_contract.spec import Spec, load_spec


@pytest.fixture(scope="session")
def spec() -> Spec:
    """The repository's spec, loaded once."""
    return load_spec()
