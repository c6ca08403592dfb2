"""A shopper's profile and saved addresses as stored (one item per user in the Users table) and the
requests that change them."""

from __future__ import annotations

import secrets
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shop.contracts.countries import CountryCode

MAX_ADDRESSES: Final = 20
ADDRESS_ID_PATTERN: Final = r"^addr_[0-9a-f]{16}$"

AddressKind = Literal["shipping", "billing"]
AddressId = Annotated[str, Field(pattern=ADDRESS_ID_PATTERN)]
Phone = Annotated[str, Field(pattern=r"^\+?[0-9][0-9 ().-]{5,24}$", description="digits, spaces, + ( ) . -")]
_FORBID = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AddressFields(BaseModel):
    """An address as the shopper sends it (POST and PUT /me/addresses...)."""

    model_config = _FORBID

    kind: AddressKind = "shipping"
    name: str = Field(min_length=1, max_length=100)
    line1: str = Field(min_length=1, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    region: str | None = Field(default=None, max_length=100, description="state, province or region")
    postal_code: str = Field(min_length=1, max_length=20)
    country: CountryCode
    phone: Phone | None = None
    is_default: bool = False


class Address(AddressFields):
    """A saved address as stored. Its fields are an order address's (shop.orders.model.Address) plus
    `kind`, `is_default` and `id`; one saved before the country check still loads."""

    model_config = ConfigDict(extra="ignore")

    id: AddressId
    country: str = Field(pattern=r"^[A-Za-z]{2}$")

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class ProfileChanges(BaseModel):
    """PUT /me: the fields a shopper may change. The email is Cognito's and is not accepted here."""

    model_config = _FORBID

    name: str | None = Field(default=None, min_length=1, max_length=100)
    phone: Phone | None = None


class Profile(BaseModel):
    model_config = ConfigDict(extra="ignore")

    user_id: str
    email: str | None = None
    name: str | None = None
    phone: str | None = None
    addresses: list[Address] = Field(default_factory=list)
    created_at: str
    updated_at: str
    revision: int = 0

    def public_view(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude={"revision"})


def new_address_id() -> str:
    return f"addr_{secrets.token_hex(8)}"
