"""Editable Sessions the suite makes on a mock (through its admin API), once per run."""

from __future__ import annotations

from collections.abc import Callable

from contract_tests.support.facts import facts
from contract_tests.support.target import Target


def made_once(
    target: Target, key: str, count: int, named: Callable[[int], tuple[str, str]]
) -> list[str] | None:
    """``count`` editable Sessions of the run's Organization kept under ``target.created[key]``
    (made on first use; ``named(i)`` gives the title and id of the i-th), or ``None`` when the
    target is no mock with an admin API."""
    company = target.organization
    if target.admin is None or company is None:
        return None
    made = target.created.get(key)
    if made is None:
        made = target.created[key] = []
        for index in range(count):
            title, session_id = named(index)
            made.append(
                target.admin.create(
                    company,
                    facts().editable_states[0],
                    title=title,
                    remote_session_id=session_id,
                )
            )
    return made
