"""The kit's layers hold: import-linter's contracts (``[tool.importlinter]`` in pyproject) are kept,
and each one breaks when an import it forbids is added to the graph.

The layers (README, "Architecture"): the spec model below the suite's runtime, below the suite
(the mock beside it), below the runner; the mock never imports the suite, the suite imports only
the mock's app factory, the generated client imports nothing hand-written, the shipped kit never
imports the development tools, and no package's modules import each other in a cycle.
"""

from __future__ import annotations

from typing import Any

import grimp
import pytest
from importlinter import configuration
from importlinter.application import use_cases
from importlinter.application.app_config import settings

from prevail_contract.spec.paths import REPO_ROOT


class _PlantedBuilder:
    """The real graph, plus one import the code does not have."""

    def __init__(self, real: Any, importer: str | None, imported: str | None) -> None:
        self.real, self.importer, self.imported = real, importer, imported

    def build(self, **options: Any) -> grimp.ImportGraph:
        graph: grimp.ImportGraph = self.real.build(**options)
        if self.importer is not None and self.imported is not None:
            graph.add_import(importer=self.importer, imported=self.imported)
        return graph


def _broken(importer: str | None = None, imported: str | None = None) -> list[str]:
    """The names of the contracts broken by the code's imports (plus the planted one)."""
    configuration.configure()
    real = settings.GRAPH_BUILDER
    settings.configure(GRAPH_BUILDER=_PlantedBuilder(real, importer, imported))
    try:
        options = use_cases.read_user_options(str(REPO_ROOT / "pyproject.toml"))
        use_cases._register_contract_types(options)
        report = use_cases.create_report(options, cache_dir=None)
    finally:
        settings.configure(GRAPH_BUILDER=real)
    assert not report.could_not_run, report.invalid_contract_options
    return [c.name for c, check in report.get_contracts_and_checks() if not check.kept]


def test_every_layer_contract_is_kept() -> None:
    assert _broken() == []


@pytest.mark.parametrize(
    ("importer", "imported", "contract"),
    [
        # the upward imports the layout removed
        ("prevail_contract.runtime.bounds", "prevail_contract.check.report", "The check:"),
        ("contract_tests.plugins.rules", "prevail_contract.check.report", "The check:"),
        ("prevail_contract.check.cli", "prevail_contract.mock.cli", "The runner imports only"),
        ("prevail_contract.check.cli", "prevail_contract.lint.ref_checks", "The tools:"),
        ("prevail_contract.spec.model", "prevail_contract.runtime.config", "The check:"),
        ("prevail_contract.mock.app", "contract_tests.support.target", "The mock never"),
        ("contract_tests.support.build", "prevail_contract.mock.rules", "The suite imports only"),
        ("prevail_sessions_client.client", "prevail_contract.spec", "The generated client"),
        ("prevail_contract.spec.fixture_variables", "devtools.readme_blocks", "The shipped kit"),
        ("prevail_contract.spec.paths", "prevail_contract.spec.model", "No import cycle"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    importer: str, imported: str, contract: str
) -> None:
    broken = _broken(importer, imported)
    assert any(name.startswith(contract) for name in broken), broken
