from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ProviderSpecificDetails")


@_attrs_define
class ProviderSpecificDetails:
    """Details of the video provider; for Zoom Sessions the four fields below (documented).
    Other providers may send other fields. What a Session of another provider, or of none,
    holds here is not documented: that it is an object (or the field is left out), never
    `null` or another type, is assumed.

    """

    meeting_id: int | Unset = UNSET
    """ The provider's meeting number (bounds assumed). """
    password: str | Unset = UNSET
    """ The meeting's password (its length is assumed). """
    provider_join_url: str | Unset = UNSET
    """ The provider's join link (its length is assumed). """
    prevail_join_url: str | Unset = UNSET
    """ Prevail's join link (its length is assumed). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        meeting_id = self.meeting_id

        password = self.password

        provider_join_url = self.provider_join_url

        prevail_join_url = self.prevail_join_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if meeting_id is not UNSET:
            field_dict["meeting_id"] = meeting_id
        if password is not UNSET:
            field_dict["password"] = password
        if provider_join_url is not UNSET:
            field_dict["provider_join_url"] = provider_join_url
        if prevail_join_url is not UNSET:
            field_dict["prevail_join_url"] = prevail_join_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        meeting_id = d.pop("meeting_id", UNSET)

        password = d.pop("password", UNSET)

        provider_join_url = d.pop("provider_join_url", UNSET)

        prevail_join_url = d.pop("prevail_join_url", UNSET)

        provider_specific_details = cls(
            meeting_id=meeting_id,
            password=password,
            provider_join_url=provider_join_url,
            prevail_join_url=prevail_join_url,
        )

        provider_specific_details.additional_properties = d
        return provider_specific_details

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
