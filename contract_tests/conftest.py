"""Contract-suite configuration: fixtures and hooks live in the plugin modules below."""

pytest_plugins = [
    "contract_tests.plugins.profiles",
    "contract_tests.plugins.rules",
    "contract_tests.plugins.target",
    "contract_tests.plugins.bounds",
]
