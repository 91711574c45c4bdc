"""Accepted values from the whole space each request schema admits, not only its examples.

Titles in many scripts, astral-plane characters, joiners and right-to-left text, at the
shortest and longest length; invite addresses with every local-part character the spec allows
and at each of its length limits; every zone with dates and times at their edges and durations
at their step edges. The candidates are ours; which of them are valid is the spec's call (its
own reading, :mod:`~contract_tests.support.body_rules`): a candidate it refuses is dropped, and
every length edge is found by asking that reading, so no limit is typed here. Each probe names
the rule a refusal of it breaks: the ``x-violation-rules`` entry of the keyword whose space it
explores (a server refusing a title of ``maxLength`` astral characters reads ``maxLength`` more
tightly than the spec).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from contract_tests.support.body_rules import body_rules
from contract_tests.support.facts import Facts, facts
from contract_tests.support.probes import base_schedule, edit_with
from prevail_contract.errors import SpecError
from prevail_contract.spec import Spec, load_spec
from prevail_contract.spec.violation_rules import ANNOTATION

#: Titles across the character range: scripts, astral planes, joiners, right to left, and the
#: characters JSON and HTML escape.
TITLE_SAMPLES = (
    "Deposition 😀 ✅ ☎",
    "👩‍⚖️ Judge’s review",  # noqa: RUF001 - the typographic apostrophe is the point
    "👨‍👩‍👧‍👦 Family court",
    "🇺🇸 🇫🇷 🏳️‍🌈 Flags",
    "جلسة الاستماع ١٢",
    "דיון בבית המשפט",
    "مصاحبه‌ی شاهد",
    "Case 12 — قضية 12 — תיק 12",
    "証人尋問 第2回",
    "𠀀𠀁𪜀 extension B",
    "𝐓𝐞𝐬𝐭𝐢𝐦𝐨𝐧𝐲 𝟐𝟎𝟐𝟔",  # noqa: RUF001 - astral look-alikes are the point
    "𓀀𓂀 hieroglyphs",
    "साक्षी की गवाही",
    "Ελληνικά και Кириллица",
    "증인 신문",
    "Quotes \"double\" 'single' \\ back</script> & <b>",
    "null",
)
#: Local times at the edges of the 12-hour clock (the spec keeps those it accepts).
TIME_CANDIDATES = (
    "12:00 AM",
    "12:59 AM",
    "01:00 AM",
    "11:59 AM",
    "12:00 PM",
    "12:59 PM",
    "01:00 PM",
    "11:59 PM",
)
#: Dates at month, year and leap edges (future ones: no server refuses them as past).
#: Daylight-saving changeover days are left out: a local time that does not exist there is
#: stored otherwise by a server keeping instants, which the documentation does not rule out.
DATE_CANDIDATES = (
    "2032-02-29",
    "2096-02-29",
    "2031-12-31",
    "2032-01-01",
    "2031-04-30",
    "2099-12-31",
)
#: A reserved domain for every address (nobody is ever emailed by a contract run).
DOMAIN = "example.com"
#: How far a length edge is searched for (far past any email limit).
SEARCH_CAP = 4096


@dataclass(frozen=True)
class Positive:
    """One valid edit from the edge of a schema's space, and the rule refusing it breaks."""

    purpose: str
    edit: dict[str, Any]
    #: The rule a server breaks by refusing the edit (its keyword's ``x-violation-rules``).
    refused_rule: str
    field: str
    #: For an edit probing several edges at once: each edge alone, to find which one a
    #: refusal was for (none alone refused: the edit's assumed rule among theirs is blamed).
    parts: tuple[Positive, ...] = ()


def _rule(f: Facts, schema: Mapping[str, Any], keyword: str, value: Any) -> str:
    annotations = schema.get(ANNOTATION) or {}
    entry = annotations.get(keyword, annotations.get("type"))
    if entry is None:
        raise SpecError(f"{ANNOTATION} names no rule for {keyword!r} (nor 'type') of {value!r}")
    return body_rules(f.spec).pick(entry, value)


def _valid(f: Facts, edit: Mapping[str, Any]) -> bool:
    return not body_rules(f.spec).broken({"remote_session": dict(edit)})


def longest(accepts: Callable[[int], bool], *, start: int = 1, cap: int = SEARCH_CAP) -> int:
    """The largest ``n`` from ``start`` up to ``cap`` that ``accepts``, for a property that holds
    up to some length and not beyond (0 when ``start`` fails)."""
    if not accepts(start):
        return 0
    low, high = start, start * 2
    while high <= cap and accepts(high):
        low, high = high, high * 2
    high = min(high, cap + 1)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if accepts(middle) else (low, middle)
    return low


def _cycled(text: str, length: int) -> str:
    return "".join(itertools.islice(itertools.cycle(text), length))


def _free_text(f: Facts) -> list[str]:
    """The string fields a sample title fits (free text: no format, enum or strict pattern)."""
    return [
        n
        for n in f.value_fields
        if f.field(n).get("type") == "string" and _valid(f, edit_with(f, n, TITLE_SAMPLES[0]))
    ]


def title_probes(f: Facts) -> list[Positive]:
    """Per free-text field: each sample, and the shortest and longest texts of astral and
    other characters."""
    out: list[Positive] = []
    for name in _free_text(f):
        schema = f.field(name)

        def probe(purpose: str, text: str, keyword: str, name: str = name) -> Positive:
            edit = edit_with(f, name, text)
            return Positive(purpose, edit, _rule(f, f.field(name), keyword, text), name)

        kept = [t for t in TITLE_SAMPLES if _valid(f, edit_with(f, name, t))]
        out += [probe(f"{name} {text!r}", text, "pattern") for text in kept]
        astral = "".join(c for c in "".join(kept) if ord(c) > 0xFFFF)
        mixed = astral + "".join(kept).replace(" ", "")
        for keyword, pool in (("minLength", astral), ("maxLength", mixed)):
            if keyword not in schema or not pool:
                continue
            size = int(schema[keyword])
            text = _cycled(pool, size)
            if _valid(f, edit_with(f, name, text)):
                what = (
                    f"{name} of {size} character{'s' if size != 1 else ''}, astral ones among them"
                )
                out.append(probe(what, text, keyword))
    return out


def email_schema(f: Facts) -> Mapping[str, Any]:
    """The schema of one invite address (the object form's email member)."""
    invite = f.spec.document["components"]["schemas"]["InviteObject"]
    node = f.spec.deref(invite["properties"][f.invite_email])
    assert isinstance(node, Mapping)
    return node


def address_probes(f: Facts, tag: str) -> list[Positive]:
    """Addresses with every local-part character the spec allows, the longest local part, the
    longest domain label and the longest address, each alone in an invite list; ``tag`` (letters
    and digits) keeps them new in each run."""
    schema = email_schema(f)
    field = f.invite_field
    # the documentation names only the form of an address; which addresses of that form a
    # server takes (these characters, dotted atoms, label lengths) is the grammar's question:
    # the pattern under ``allOf`` when the spec has one, and its rule
    grammar = next((m for m in schema.get("allOf") or () if "pattern" in m), schema)

    def ok(address: str) -> bool:
        return _valid(f, {field: [address]})

    def probe(purpose: str, address: str, keyword: str) -> Positive:
        rule = _rule(f, grammar if keyword == "pattern" else schema, keyword, address)
        return Positive(f"invite {purpose}", {field: [address]}, rule, field)

    out: list[Positive] = []
    ascii_marks = [c for c in map(chr, range(0x21, 0x7F)) if not c.isalnum()]
    specials = "".join(c for c in ascii_marks if ok(f"a{c}{tag}@{DOMAIN}"))
    if specials and ok(f"{specials}{tag}@{DOMAIN}"):
        out.append(probe("with every allowed character", f"{specials}{tag}@{DOMAIN}", "pattern"))
    if ok(f"first.middle.{tag}@{DOMAIN}"):
        out.append(probe("with dotted atoms", f"first.middle.{tag}@{DOMAIN}", "pattern"))
    local = longest(lambda n: ok(_cycled(f"{tag}x", n) + f"@{DOMAIN}"))
    if local:
        address = _cycled(f"{tag}x", local) + f"@{DOMAIN}"
        out.append(probe(f"with a local part of {local} characters", address, "format"))
    label = longest(lambda n: ok(f"{tag}@{'d' * n}.{DOMAIN}"))
    if label:
        address = f"{tag}@{'d' * label}.{DOMAIN}"
        out.append(probe(f"with a domain label of {label} characters", address, "pattern"))
    widest = _longest_address(ok, tag, local, label)
    if widest:
        out.append(probe(f"of {len(widest)} characters", widest, "maxLength"))
    return out


def _address_of(size: int, tag: str, local: int, label: int) -> str:
    """An address of ``size`` characters (or "" if none can be made): the longest local part
    that leaves room, then labels no longer than ``label`` before the reserved domain."""
    name = min(local, size - 1 - len(DOMAIN))
    room = size - name - 1 - len(DOMAIN)
    if room == 1:  # a label needs a character and its dot
        name, room = name - 1, 2
    count = -(-room // (label + 1)) if room > 0 else 0
    if name < 1 or room - count < count:
        return ""
    widths = [(room - count) // count + (i < (room - count) % count) for i in range(count)]
    labels = [_cycled("abcdefghij", w) for w in widths]
    return _cycled(f"{tag}y", name) + "@" + ".".join([*labels, DOMAIN])


def _longest_address(ok: Callable[[str], bool], tag: str, local: int, label: int) -> str | None:
    """The longest address the spec accepts, built by :func:`_address_of`."""
    if not (local and label):
        return None

    def fits(size: int) -> bool:
        address = _address_of(size, tag, local, label)
        return len(address) == size and ok(address)

    size = longest(fits, start=len(f"a@{DOMAIN}"))
    return _address_of(size, tag, local, label) if size else None


def _number_edges(schema: Mapping[str, Any]) -> list[tuple[float | int, str]]:
    """The first steps above the lower bound and the last ones up to the upper, each with the
    keyword whose edge it is."""
    step = float(schema.get("multipleOf") or 1)
    if "exclusiveMinimum" in schema:
        first, low_kw = float(schema["exclusiveMinimum"]) + step, "exclusiveMinimum"
    else:
        first, low_kw = float(schema.get("minimum", step)), "minimum"
    if "maximum" in schema:
        last, high_kw = float(schema["maximum"]), "maximum"
    else:
        last = float(schema.get("exclusiveMaximum", first + 97 * step)) - step
        high_kw = "exclusiveMaximum"
    values = [(first, low_kw), (first + step, "multipleOf"), (first + 2 * step, "multipleOf")]
    values += [(last - step, "multipleOf"), (last, high_kw)]
    return [(int(v) if v.is_integer() else v, kw) for v, kw in values]


def schedule_probes(f: Facts) -> list[Positive]:
    """Every zone once, each with the next date edge, time edge and number edge in turn, so
    that every zone, every edge and every step edge is sent at least once."""
    zone_field = next((n for n in f.schedule if "enum" in f.field(n)), None)
    date_field = next((n for n in f.schedule if f.field(n).get("format") == "date"), None)
    time_field = next((n for n in f.schedule if n not in (zone_field, date_field)), None)
    if zone_field is None or date_field is None or time_field is None:
        return []
    base = base_schedule(f)

    def part(name: str, value: Any, keyword: str) -> Positive | None:
        edit = edit_with(f, name, value)
        if not _valid(f, edit):
            return None
        return Positive(f"{name} {value!r}", edit, _rule(f, f.field(name), keyword, value), name)

    dates = [p for d in DATE_CANDIDATES if (p := part(date_field, d, "format"))]
    times = [p for t in TIME_CANDIDATES if (p := part(time_field, t, "pattern"))]
    numbers = [
        p
        for name in f.value_fields
        if f.field(name).get("type") in ("number", "integer")
        for value, kw in _number_edges(f.field(name))
        if (p := part(name, value, kw))
    ]
    out: list[Positive] = []
    for index, zone in enumerate(f.field(zone_field)["enum"]):
        parts = [p for p in (part(zone_field, zone, "enum"),) if p]
        parts += [pool[index % len(pool)] for pool in (dates, times, numbers) if pool]
        edit = dict(base)
        for piece in parts:
            edit[piece.field] = piece.edit[piece.field]
        if not parts or not _valid(f, edit):
            continue
        purpose = ", ".join(p.purpose for p in parts)
        out.append(Positive(purpose, edit, parts[0].refused_rule, zone_field, tuple(parts)))
    return out


@functools.lru_cache(maxsize=4)
def _positives(spec: Spec) -> tuple[tuple[Positive, ...], tuple[Positive, ...]]:
    f = facts(spec)
    return tuple(title_probes(f)), tuple(schedule_probes(f))


def titles(spec: Spec | None = None) -> tuple[Positive, ...]:
    """The title probes of ``spec`` (default: the spec the run checks against)."""
    return _positives(spec if spec is not None else load_spec())[0]


def schedules(spec: Spec | None = None) -> tuple[Positive, ...]:
    """The schedule and number probes of ``spec``: every zone, every date, time and step edge."""
    return _positives(spec if spec is not None else load_spec())[1]


def addresses(tag: str, spec: Spec | None = None) -> list[Positive]:
    """The invite address probes, made new with ``tag`` (e.g. the run's seed)."""
    return address_probes(facts(spec), tag)
