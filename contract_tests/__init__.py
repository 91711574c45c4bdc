"""Contract tests: check a Prevail Edit Sessions server against the spec and its rule catalogue."""
