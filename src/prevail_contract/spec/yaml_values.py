"""Safe YAML loaders whose bad typed values (``2026-02-30``, ``!!int x``) are placed YAML errors.

PyYAML's safe loader turns a plain ``2026-02-30`` into a date while loading, and an impossible
one escapes as a bare ``ValueError`` (``day is out of range for month``) that names neither the
file's line nor the value; explicit tags (``!!int x``, ``!!timestamp x``) do the same. These
loaders raise a ``yaml.MarkedYAMLError`` instead, naming the tag, the value and its line, so
that every reader's existing "not valid YAML" message applies. :class:`TextDatesLoader` keeps
date-like plain scalars as strings, for a reader that checks dates itself and names the entry.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.error import Mark, MarkedYAMLError
from yaml.nodes import Node, ScalarNode
from yaml.reader import ReaderError

#: YAML's tag for the implicit date and timestamp scalars.
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class MarkedConstructor(SafeConstructor):
    """The safe constructor; a value its tag cannot build is a ``ConstructorError`` at its line."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:
            shown = repr(node.value)[:80] if isinstance(node, ScalarNode) else "this node"
            tag = node.tag.rsplit(":", 1)[-1]
            raise ConstructorError(
                None, None, f"{shown} is not a valid {tag} ({exc})", node.start_mark
            ) from None


class MarkedLoader(MarkedConstructor, yaml.SafeLoader):
    """``yaml.SafeLoader`` with :class:`MarkedConstructor`."""


#: The same on libyaml's parser where PyYAML was built with it (else :class:`MarkedLoader`).
FastMarkedLoader: type[Any] = (
    type("FastMarkedLoader", (MarkedConstructor, yaml.CSafeLoader), {})
    if hasattr(yaml, "CSafeLoader")
    else MarkedLoader
)


class TextDatesLoader(MarkedLoader):
    """:class:`MarkedLoader`, but a plain date or timestamp stays the string it was written as."""

    yaml_implicit_resolvers = {  # noqa: RUF012 - PyYAML reads it from the class
        first: [(tag, regexp) for tag, regexp in resolvers if tag != TIMESTAMP_TAG]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def load(text: str, loader: type[MarkedLoader] = MarkedLoader) -> Any:
    """The YAML document in ``text``, read with ``loader``.

    PyYAML's own parser, not libyaml's: libyaml takes a tab as a separator where PyYAML (and so
    the client generator) refuses it, and its errors leave out the offending character. Every
    refusal is a ``yaml.YAMLError`` with a place: a character YAML does not allow is given a
    line and column, and nesting too deep for Python's stack is refused, not a crash.
    """
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - both loaders are safe loaders
    except ReaderError as exc:
        at = exc.position
        line, column = text.count("\n", 0, at), at - (text.rfind("\n", 0, at) + 1)
        mark = Mark("<document>", at, line, column, None, 0)  # no snippet: the message is one line
        problem = f"character #x{exc.character:04x} is not allowed in YAML"
        raise MarkedYAMLError(problem=problem, problem_mark=mark) from None
    except RecursionError:
        raise yaml.YAMLError("nested too deeply to read (collections within collections)") from None


def not_utf8(exc: UnicodeDecodeError) -> str:
    """Where a file's bytes stop being UTF-8: the byte, its line and its offset."""
    line = exc.object.count(b"\n", 0, exc.start) + 1
    return f"byte 0x{exc.object[exc.start]:02x} at line {line} (offset {exc.start})"
