"""Hostile-input corpus for the served mock: raw-socket clients and the state they must not change."""
