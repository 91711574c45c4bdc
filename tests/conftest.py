"""Test configuration: fixtures live in plugin modules under tests/plugins/."""

pytest_plugins = [
    "tests.plugins.spec",
    "tests.plugins.diff",
    "tests.plugins.mock",
    "tests.plugins.check",
    "tests.plugins.docs",
    "tests.plugins.redis_server",
    "tests.plugins.operations",
    "tests.plugins.order",
]
