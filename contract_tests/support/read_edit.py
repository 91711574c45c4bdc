"""The edit that reads a Session on a target without ``GET /sessions``: it re-sends a value the
Session already has, so that the answer shows the Session and changes nothing else that the
caller wants to watch. The fields come from the spec; nothing about them is written here."""

from __future__ import annotations

from typing import Any

from contract_tests.support.body_rules import body_rules
from contract_tests.support.facts import facts
from contract_tests.support.probes import good_value
from prevail_contract.spec import Spec

__all__ = ["read_edit"]


def read_edit(spec: Spec, seen: dict[str, Any], avoid: set[str], seed: int) -> dict[str, Any]:
    """The harmless edit that reads a Session last ``seen`` so: a current value of a field not
    in ``avoid``.

    The fields tried are the spec's: each plain value field, then the schedule group
    (``dependentRequired``) as a whole; a value is re-sent only when the suite's reading of the
    request schema accepts it. With nothing seen, the run's own title (by ``seed``) is sent.
    """
    f = facts(spec)
    reading = body_rules(spec)

    def fits(edit: dict[str, Any]) -> bool:
        return not reading.broken({"remote_session": edit})

    singles = [n for n in f.value_fields if n not in f.schedule]
    for name in singles:
        if name not in avoid and name in seen and fits({name: seen[name]}):
            return {name: seen[name]}
    group = {n: seen[n] for n in f.schedule if n in seen}
    if group and len(group) == len(f.schedule) and not avoid & set(group) and fits(group):
        return group
    name = singles[0] if singles else f.value_fields[0]
    value = seen.get(name)
    if name in seen and fits({name: value}):
        return {name: value}
    own = f"Contract check run {seed}"
    return {name: own if fits({name: own}) else good_value(name, spec)}
