"""Helpers shared by the contract tests: the target, expectations, strategies and checks."""
