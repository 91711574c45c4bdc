"""The mock's rule, admin and list tests once more, with the state in Redis (a real
redis-server): the Redis store must behave exactly like the in-memory default."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

from prevail_contract.mock import create_app, target_environment
from tests.plugins.mock import MockUnderTest
from tests.test_mock_admin import *  # noqa: F403
from tests.test_mock_listing import *  # noqa: F403
from tests.test_mock_rules import *  # noqa: F403

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


@pytest.fixture
def mock(redis_url: str) -> Iterator[MockUnderTest]:
    """A mock whose state is in an emptied Redis database (overrides the in-memory one)."""
    app = create_app(store=redis_url)
    with TestClient(app, base_url="http://mock") as client:  # its lifespan closes the store
        yield MockUnderTest(app, target_environment(app, "http://mock"), client)
