"""Hostile-input corpus for the served mock: raw-socket clients, the state to keep."""
