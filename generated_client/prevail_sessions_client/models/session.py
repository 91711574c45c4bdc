from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.provider_specific_details import ProviderSpecificDetails


T = TypeVar("T", bound="Session")


@_attrs_define
class Session:
    """A Session as the API returns it. Fields the documented example shows are listed;
    further fields may appear and must be ignored by clients. That every field but
    `provider_specific_details` (Zoom Sessions only) is always present is assumed, as are
    the lengths of its strings (`maxLength`) and the count of `invites`.

    """

    remote_session_id: str
    """ The stable id; never changes (documented). Its length is assumed. """
    title: str
    """ The title (its length is assumed). """
    start_date: datetime.date
    """ `YYYY-MM-DD` (documented), a real calendar date (assumed). """
    start_time: str
    """ `hh:mm AM|PM`, 12-hour clock, hour zero-padded. """
    time_zone: str
    """ A Rails time zone name (see `TimeZoneName`). Kept open here so that a client does
    not fail on a name added later. Its length is assumed.
     """
    state: str
    """ The Session's state. Values seen in the documentation: `initial`, `scheduled`,
    `ready`, `active`, `canceled`; the list may grow, so clients must accept others.
    Its length is assumed.
     """
    estimated_duration: float
    """ Expected length in hours, such as `3.5`. """
    transcript_status: str
    """ Progress of the transcript, such as `in_progress` (documented example); the other
    values are not documented. Its length is assumed.
     """
    invites: list[str]
    """ Every invited participant's email, old and new (the whole list is assumed), as
    it was accepted by `InviteEmail`. No `format` is declared here so that response
    checkers whose email rules differ do not refuse an address the request accepted.
    The invitees of a Session over all its edits are capped by `maxItems`
    (assumed): an edit that would pass the cap is refused under rule
    `field-limits`, naming `remote_session.invites`, and nothing of it is applied.
     """
    provider_specific_details: ProviderSpecificDetails | Unset = UNSET
    """ Details of the video provider; for Zoom Sessions the four fields below (documented).
    Other providers may send other fields. What a Session of another provider, or of none,
    holds here is not documented: that it is an object (or the field is left out), never
    `null` or another type, is assumed.
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        remote_session_id = self.remote_session_id

        title = self.title

        start_date = self.start_date.isoformat()

        start_time = self.start_time

        time_zone = self.time_zone

        state = self.state

        estimated_duration = self.estimated_duration

        transcript_status = self.transcript_status

        invites = self.invites

        provider_specific_details: dict[str, Any] | Unset = UNSET
        if not isinstance(self.provider_specific_details, Unset):
            provider_specific_details = self.provider_specific_details.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "remote_session_id": remote_session_id,
                "title": title,
                "start_date": start_date,
                "start_time": start_time,
                "time_zone": time_zone,
                "state": state,
                "estimated_duration": estimated_duration,
                "transcript_status": transcript_status,
                "invites": invites,
            }
        )
        if provider_specific_details is not UNSET:
            field_dict["provider_specific_details"] = provider_specific_details

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.provider_specific_details import ProviderSpecificDetails  # noqa: PLC0415

        d = dict(src_dict)
        remote_session_id = d.pop("remote_session_id")

        title = d.pop("title")

        start_date = datetime.date.fromisoformat(d.pop("start_date"))

        start_time = d.pop("start_time")

        time_zone = d.pop("time_zone")

        state = d.pop("state")

        estimated_duration = d.pop("estimated_duration")

        transcript_status = d.pop("transcript_status")

        invites = cast(list[str], d.pop("invites"))

        _provider_specific_details = d.pop("provider_specific_details", UNSET)
        provider_specific_details: ProviderSpecificDetails | Unset
        if isinstance(_provider_specific_details, Unset):
            provider_specific_details = UNSET
        else:
            provider_specific_details = ProviderSpecificDetails.from_dict(_provider_specific_details)

        session = cls(
            remote_session_id=remote_session_id,
            title=title,
            start_date=start_date,
            start_time=start_time,
            time_zone=time_zone,
            state=state,
            estimated_duration=estimated_duration,
            transcript_status=transcript_status,
            invites=invites,
            provider_specific_details=provider_specific_details,
        )

        session.additional_properties = d
        return session

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
