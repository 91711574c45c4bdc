"""Lint (``prevail-contract lint``): the spec's checks, beyond what a generic linter makes.

A tool over the spec model (:mod:`prevail_contract.spec`): it imports the spec package and
nothing else of the kit's, and nothing but the command line imports it. The command and its
layers are :mod:`~prevail_contract.lint.cli`; each layer of the kit's own checks is one module
(``ref_checks``, ``rule_checks``, ``limit_checks`` with ``stated_numbers`` and
``limit_examples``, ``pagination_checks``, ``provenance_checks``) and
:mod:`~prevail_contract.lint.spectral_ruleset` resolves the Spectral ruleset.
"""
