"""Numbers stated in prose: how they are read, which field each is about, and which are stale.

Hand-written because no library reads limits out of English prose. A number in a code span
or in quotes, or joined to a word (``12-hour``, ``HS256``), is not a limit; ``1 MiB`` is
1048576; a number is about the declared field named last before it in its clause.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

#: Schema keywords that hold a numeric limit.
LIMIT_KEYWORDS = (
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "default",
)
_QUOTED = re.compile(r"`[^`]*`|\"[^\"]*\"")
_NUMBER = re.compile(
    r"(?<![\w.,-])(?P<n>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s?(?P<unit>KiB|MiB|GiB)\b)?"
    r"(?![\w-]|[.,]\d)"
)
_UNITS = {"KiB": 1024, "MiB": 1024**2, "GiB": 1024**3}


@dataclass(frozen=True)
class Limit:
    """One declared limit, resolved to its current value."""

    #: ``title maxLength`` or the declaration's ``what``.
    label: str
    value: Decimal
    #: The schema keyword (``None`` for a limit stated as a value).
    keyword: str | None = None
    #: The field the limit is on (``title``), as the statement names it.
    name: str | None = None

    def __str__(self) -> str:
        return f"{self.label} {show(self.value)}"


def numbers(text: str) -> Iterator[tuple[str, Decimal]]:
    """Each number ``text`` states, as written and as a value (``1 MiB`` is 1048576)."""
    for _, shown, value in _numbers_at(text):
        yield shown, value


def _numbers_at(text: str) -> Iterator[tuple[int, str, Decimal]]:
    """Each stated number with where it starts; quoted text and code spans are blanked."""
    blanked = _QUOTED.sub(lambda m: " " * len(m.group(0)), text)
    for match in _NUMBER.finditer(blanked):
        value = Decimal(match["n"].replace(",", ""))
        if match["unit"]:
            value *= _UNITS[match["unit"]]
        yield match.start(), match.group(0), value


def attributed(text: str, names: set[str]) -> Iterator[tuple[str | None, str, Decimal]]:
    """Each stated number with the declared field it is about: the one named last before it in
    its clause (clauses split at ``, `` and ``; ``); a clause naming none before the number
    continues the one before."""
    current: str | None = None
    patterns = {n: re.compile(rf"(?<![\w-]){re.escape(n)}(?![\w-])") for n in names}
    for clause in re.split(r"[,;]\s", " ".join(text.split())):
        mentions = sorted((m.start(), n) for n, p in patterns.items() for m in p.finditer(clause))
        for start, shown, value in _numbers_at(clause):
            before = [n for at, n in mentions if at < start]
            if before:
                current = before[-1]
            elif mentions and current is None:
                current = mentions[0][1]
            yield current, shown, value
        if mentions:
            current = mentions[-1][1]


def undeclared(
    text: str, limits: list[Limit], statuses: set[Decimal], where: str, what: str
) -> list[str]:
    """Each number ``text`` (a rule's ``what``) states that is neither one of ``limits`` for
    the field its clause is about nor a status."""
    problems: list[str] = []
    for name, shown, value in attributed(text, {limit.name for limit in limits if limit.name}):
        near = [limit for limit in limits if name is None or limit.name == name]
        if value in {limit.value for limit in near} or value in statuses:
            continue
        about = f" about {name}" if name else ""
        hint = (
            f"declared: {', '.join(str(limit) for limit in near)}"
            if near
            else "declare the limit it names in the rule's x-limits"
        )
        problems.append(
            f"{where}: the {what} says {shown}{about}, which is no declared limit ({hint})"
        )
    return problems


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def show(value: Decimal) -> str:
    try:
        return format(value.normalize(), "f")
    except InvalidOperation:
        return str(value)
