"""Media types of ``Content-Type`` values, compared as RFC 9110 says: case-insensitively.

Parsed with the standard library's ``email.message.Message`` (the MIME header grammar HTTP's
shares), which lowercases the type and subtype and drops the parameters.
"""

from __future__ import annotations

from email.message import Message


def media_type(header: str | None) -> str:
    """``type/subtype`` of a ``Content-Type`` value, lowercased; ``""`` when there is none."""
    if header is None or "/" not in header.split(";", 1)[0]:
        return ""  # (``Message`` would answer its default, text/plain)
    message = Message()
    message["content-type"] = header
    return message.get_content_type()


def is_json(header: str | None) -> bool:
    """Whether a ``Content-Type`` value names JSON: ``application/json`` or a ``+json`` type."""
    kind = media_type(header)
    return kind == "application/json" or kind.endswith("+json")
