from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.remote_session_edit import RemoteSessionEdit


T = TypeVar("T", bound="EditSessionRequest")


@_attrs_define
class EditSessionRequest:
    """The request body: the fields to change, wrapped in `remote_session`. Other top-level
    members are refused (assumed).

    """

    remote_session: RemoteSessionEdit
    """ The fields to change. Each is optional on its own, but at least one must be present
    (assumed), fields the contract does not define are refused (assumed), and
    `start_date`, `start_time` and `time_zone` go together: all three or none
    (documented).
     """

    def to_dict(self) -> dict[str, Any]:
        remote_session = self.remote_session.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "remote_session": remote_session,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.remote_session_edit import RemoteSessionEdit  # noqa: PLC0415

        d = dict(src_dict)
        remote_session = RemoteSessionEdit.from_dict(d.pop("remote_session"))

        edit_session_request = cls(
            remote_session=remote_session,
        )

        return edit_session_request
