from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.time_zone_name import TimeZoneName
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.invite_object import InviteObject


T = TypeVar("T", bound="RemoteSessionEdit")


@_attrs_define
class RemoteSessionEdit:
    """The fields to change. Each is optional on its own, but at least one must be present
    (assumed), fields the contract does not define are refused (assumed), and
    `start_date`, `start_time` and `time_zone` go together: all three or none
    (documented).

    """

    title: str | Unset = UNSET
    """ The Session's title. 1 to 255 characters (assumed). No control, format or
    line-separator character of the Basic Multilingual Plane (assumed): the pattern
    refuses the Unicode categories Cc (NUL, tab, line feed, next line and the other
    C0 and C1 controls), Cf (soft hyphen, zero-width space, bidirectional marks and
    overrides, byte order mark, ...) except the zero-width joiner and non-joiner
    that scripts and emoji need, Zl (line separator) and Zp (paragraph separator).
    The pattern is matched as ECMA-262 reads it: `$` is the end of the text, so a
    final line break is refused.
     """
    start_time: str | Unset = UNSET
    """ The local start time on a 12-hour clock, `hh:mm AM` or `hh:mm PM`, hour
    zero-padded (documented). Send together with `start_date` and `time_zone`.
     """
    start_date: datetime.date | Unset = UNSET
    """ The day the Session starts, `YYYY-MM-DD` (documented), and a real calendar date
    (assumed). Send together with `start_time` and `time_zone`.
     """
    time_zone: TimeZoneName | Unset = UNSET
    """ A Rails time zone name such as `Pacific Time (US & Canada)` (documented). Exactly the
    151 names listed are accepted; IANA ids such as `America/Los_Angeles` are refused
    (assumed: the documentation does not say whether they are accepted). The
    `x-iana-zones` map gives the IANA zone behind each name.
     """
    invites: list[InviteObject | str] | Unset = UNSET
    """ Participants to add. Invited participants are never removed by an edit and each
    is emailed (documented). Re-inviting an address already on the Session, in any
    letter case, adds nothing (assumed). At most 100 items a request (assumed).
     """
    estimated_duration: float | Unset = UNSET
    """ Expected length in hours, in quarter-hour steps (listed as editable in an older
    page version). Above 0 and at most 24, a multiple of 0.25 (limits assumed).
     """

    def to_dict(self) -> dict[str, Any]:
        from ..models.invite_object import InviteObject  # noqa: PLC0415

        title = self.title

        start_time = self.start_time

        start_date: str | Unset = UNSET
        if not isinstance(self.start_date, Unset):
            start_date = self.start_date.isoformat()

        time_zone: str | Unset = UNSET
        if not isinstance(self.time_zone, Unset):
            time_zone = self.time_zone.value

        invites: list[dict[str, Any] | str] | Unset = UNSET
        if not isinstance(self.invites, Unset):
            invites = []
            for invites_item_data in self.invites:
                invites_item: dict[str, Any] | str
                if isinstance(invites_item_data, InviteObject):
                    invites_item = invites_item_data.to_dict()
                else:
                    invites_item = invites_item_data
                invites.append(invites_item)

        estimated_duration = self.estimated_duration

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if title is not UNSET:
            field_dict["title"] = title
        if start_time is not UNSET:
            field_dict["start_time"] = start_time
        if start_date is not UNSET:
            field_dict["start_date"] = start_date
        if time_zone is not UNSET:
            field_dict["time_zone"] = time_zone
        if invites is not UNSET:
            field_dict["invites"] = invites
        if estimated_duration is not UNSET:
            field_dict["estimated_duration"] = estimated_duration

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.invite_object import InviteObject  # noqa: PLC0415

        d = dict(src_dict)
        title = d.pop("title", UNSET)

        start_time = d.pop("start_time", UNSET)

        _start_date = d.pop("start_date", UNSET)
        start_date: datetime.date | Unset
        if isinstance(_start_date, Unset):
            start_date = UNSET
        else:
            start_date = datetime.date.fromisoformat(_start_date)

        _time_zone = d.pop("time_zone", UNSET)
        time_zone: TimeZoneName | Unset
        if isinstance(_time_zone, Unset):
            time_zone = UNSET
        else:
            time_zone = TimeZoneName(_time_zone)

        _invites = d.pop("invites", UNSET)
        invites: list[InviteObject | str] | Unset = UNSET
        if _invites is not UNSET:
            invites = []
            for invites_item_data in _invites:

                def _parse_invites_item(data: object) -> InviteObject | str:
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        componentsschemas_invite_item_type_1 = InviteObject.from_dict(data)

                        return componentsschemas_invite_item_type_1
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    return cast(InviteObject | str, data)

                invites_item = _parse_invites_item(invites_item_data)

                invites.append(invites_item)

        estimated_duration = d.pop("estimated_duration", UNSET)

        remote_session_edit = cls(
            title=title,
            start_time=start_time,
            start_date=start_date,
            time_zone=time_zone,
            invites=invites,
            estimated_duration=estimated_duration,
        )

        return remote_session_edit
