from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.access_level import AccessLevel
from ..types import UNSET, Unset

T = TypeVar("T", bound="InviteObject")


@_attrs_define
class InviteObject:
    """An email address with the access level to grant (documented). Other members are
    refused (assumed).

    """

    email: str
    """ An email address; the participant joins with access level `participant`. The
    documentation says only that invites are email addresses, so its form is read as
    leniently as addresses go (`pattern`): some characters, `@` and more characters, with
    no space, line break or second `@`. The exact grammar is assumed (rule
    `email-grammar`): an ASCII dot-atom local part, `@` and a dotted domain name (the
    pattern under `allOf`), within the lengths of RFC5321 (`format: email`, for the local
    part and each domain label, and `maxLength` for the whole address). `$` in the
    patterns is the end of the text (ECMA-262), so an address ending in a line break is
    refused.
     """
    access_level: AccessLevel | Unset = UNSET
    """ `participant` (the default) or `host`. `host` takes effect only for a registered
    member of the Organization; anyone else silently becomes a `participant`
    (documented).
     """

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        access_level: str | Unset = UNSET
        if not isinstance(self.access_level, Unset):
            access_level = self.access_level.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
            }
        )
        if access_level is not UNSET:
            field_dict["access_level"] = access_level

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        email = d.pop("email")

        _access_level = d.pop("access_level", UNSET)
        access_level: AccessLevel | Unset
        if isinstance(_access_level, Unset):
            access_level = UNSET
        else:
            access_level = AccessLevel(_access_level)

        invite_object = cls(
            email=email,
            access_level=access_level,
        )

        return invite_object
