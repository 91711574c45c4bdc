"""Which catalogue rule a request body breaks, by the spec's own schema and its rule annotations.

Used to file a schemathesis "accepted invalid data" finding under the rule that data broke, so
that a server accepting a partial schedule fails ``schedule-all-three`` and one accepting an
over-long title fails the assumed ``field-limits``. jsonschema validates the body against the
spec's ``EditSessionRequest``; each error is mapped to a rule by the ``x-violation-rules`` entry
(keyword -> rule id, or a list of ``{when: schema, rule}`` cases) on the schema node holding the
failing keyword. No limit, field name or pattern is written here, and nothing comes from the mock.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from typing import Any

import jsonschema

from prevail_contract.errors import SpecError
from prevail_contract.spec import FORMAT_CHECKER, Spec, load_spec
from prevail_contract.spec.violation_rules import ANNOTATION, BRANCHING, annotated_rules

REQUEST_SCHEMA = "EditSessionRequest"
#: Bodies whose broken rules are remembered at once (the memory is emptied when full).
REMEMBERED_BODIES = 512
#: The longest body (as JSON text) remembered: a few MiB at most are held.
REMEMBERED_SIZE = 8192


class BodyRules:
    """The spec's reading of request bodies: every rule a body breaks, and the one to blame."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.validator = spec.validator(REQUEST_SCHEMA)
        self.known = {rule.id for rule in spec.rules}
        #: The rules some annotation names (a keyword without one is a spec error).
        self.used = annotated_rules(spec, REQUEST_SCHEMA)
        #: Which rule wins when a body breaks several: documented rules first, then catalogue
        #: order (a server accepting such a body breaks all of them; one is named).
        self.priority = tuple(
            r.id for r in sorted(spec.rules, key=lambda r: not r.documented) if r.id in self.used
        )
        self._broken: dict[str, frozenset[str]] = {}

    # -- reading a body --------------------------------------------------------------------

    def errors(self, body: Any) -> Iterator[tuple[str, jsonschema.ValidationError]]:
        """Each schema error of ``body`` with the rule it breaks."""
        for error in self.validator.iter_errors(body):
            yield from self._classify(error)

    def _classify(
        self, error: jsonschema.ValidationError
    ) -> Iterator[tuple[str, jsonschema.ValidationError]]:
        schema = error.schema if isinstance(error.schema, Mapping) else {}
        entry = (schema.get(ANNOTATION) or {}).get(error.validator)
        if entry is not None:
            yield self.pick(entry, error.instance), error
            return
        if error.validator in BRANCHING and error.context:
            for sub in _relevant_branch(error):
                yield from self._classify(sub)
            return
        raise SpecError(f"no {ANNOTATION} entry for {error.validator!r} at {error.json_path}")

    def pick(self, entry: Any, instance: Any) -> str:
        """The rule an ``x-violation-rules`` entry names for ``instance`` (its first matching
        ``when`` case, else its default)."""
        if isinstance(entry, str):
            return entry
        for case in entry:
            when = case.get("when")
            if when is None or jsonschema.Draft202012Validator(
                when, format_checker=FORMAT_CHECKER
            ).is_valid(instance):
                return str(case["rule"])
        raise SpecError(f"{ANNOTATION}: no case matches {instance!r} and there is no default")

    def broken(self, body: Any) -> set[str]:
        """Every rule the body breaks.

        Remembered per body (several checks of one schemathesis case ask about the same body;
        about a third of a run's questions are repeats): only a body made of JSON's own types
        (``dict`` with ``str`` keys, ``list``, ``str``, ``int``, ``float``, ``bool``, ``None``;
        never a subclass or a tuple, which jsonschema reads otherwise) and small enough, keyed
        by its JSON text with every character kept as it is (so an astral character and its
        surrogate pair differ).
        """
        key = _memo_key(body)
        if key is None:
            return {rule for rule, _ in self.errors(body)}
        found = self._broken.get(key)
        if found is None:
            found = frozenset(rule for rule, _ in self.errors(body))
            if len(self._broken) >= REMEMBERED_BODIES:
                self._broken.clear()
            self._broken[key] = found
        return set(found)

    def blame(self, body: Any) -> str | None:
        """The one rule to blame when a server accepts ``body`` (documented rules first)."""
        broken = self.broken(body)
        return next((rule for rule in self.priority if rule in broken), None)


def _memo_key(body: Any) -> str | None:
    """The JSON text of ``body`` when it is made of JSON's own types and small enough to
    remember, else ``None``."""
    pending, seen = [body], 0
    while pending:
        value = pending.pop()
        seen += 1
        if seen > REMEMBERED_SIZE:  # each value is at least one character of the text
            return None
        kind = type(value)
        if kind is dict:
            if any(type(k) is not str for k in value):
                return None
            pending.extend(value.values())
        elif kind is list:
            pending.extend(value)
        elif kind not in _JSON_SCALARS:
            return None
    try:
        key = json.dumps(body, sort_keys=True, ensure_ascii=False)
    except (ValueError, RecursionError):  # nested too deep to write out: read, not remembered
        return None
    return key if len(key) <= REMEMBERED_SIZE else None


#: The scalar types of a body read from JSON (``bool`` is told from ``int`` by exact type).
_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def _relevant_branch(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """The errors of the branches the value was meant for (its type fits), else of all."""
    by_branch: dict[Any, list[jsonschema.ValidationError]] = {}
    for sub in error.context or ():
        by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [
        subs
        for subs in by_branch.values()
        if not any(s.validator == "type" and not s.relative_path for s in subs)
    ]
    chosen = fitting or list(by_branch.values())
    return [sub for subs in chosen for sub in subs]


@functools.lru_cache(maxsize=4)
def _reading(spec: Spec) -> BodyRules:
    return BodyRules(spec)


def body_rules(spec: Spec | None = None) -> BodyRules:
    """The body reading of ``spec`` (default: the spec the run checks against)."""
    return _reading(spec if spec is not None else load_spec())


def broken_rules(body: Any) -> set[str]:
    """Every rule the body breaks, by the spec's schema."""
    return body_rules().broken(body)


def rule_broken_by(body: Any) -> str | None:
    """The one rule to blame when a server accepts ``body`` (documented rules first)."""
    return body_rules().blame(body)
