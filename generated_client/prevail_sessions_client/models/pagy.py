from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Pagy")


@_attrs_define
class Pagy:
    """Where the page sits in the whole list (documented members; their meaning as stated
    here and their bounds are assumed).

    """

    page: int
    """ The page answered, from 1 (bounds assumed). """
    items: int
    """ Sessions per page, as asked for (or the `items` parameter's default; bounds
    assumed).
     """
    count: int
    """ How many Sessions match the filters, over all pages (bounds assumed). """
    pages: int
    """ `count` divided by `items`, rounded up; 1 when nothing matches (bounds assumed).
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        page = self.page

        items = self.items

        count = self.count

        pages = self.pages

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "page": page,
                "items": items,
                "count": count,
                "pages": pages,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        page = d.pop("page")

        items = d.pop("items")

        count = d.pop("count")

        pages = d.pop("pages")

        pagy = cls(
            page=page,
            items=items,
            count=count,
            pages=pages,
        )

        pagy.additional_properties = d
        return pagy

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
