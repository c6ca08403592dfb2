"""A shopper's profile and saved addresses: one item per user in the Users table.

The email is the Cognito token's (Cognito owns it and verifies it); the profile copies it so the
email-index can find the account. Address changes are read-modify-write on the one item, guarded by
a `revision` counter, so two tabs editing addresses at once cannot lose each other's change.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shop.contracts.tables import USERS
from shop.platform.clock import now_iso
from shop.platform.dynamodb import attr, errors, from_item, table, to_item
from shop.platform.errors import Conflict, NotFound

MAX_ADDRESSES: Final = 20
CHANGE_ATTEMPTS: Final = 4
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
    region: str | None = Field(default=None, max_length=100)
    postal_code: str = Field(min_length=1, max_length=20)
    country: str = Field(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2")
    phone: Phone | None = None
    is_default: bool = False

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class Address(AddressFields):
    model_config = ConfigDict(extra="ignore")

    id: AddressId


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


def _with_defaults(addresses: list[Address], chosen: Address | None = None) -> list[Address]:
    """Exactly one default per kind that has addresses: `chosen` if given, else the current or first one."""
    result = list(addresses)
    for kind in ("shipping", "billing"):
        of_kind = [address for address in result if address.kind == kind]
        if not of_kind:
            continue
        if chosen is not None and chosen.kind == kind:
            default_id = chosen.id
        else:
            current = [address for address in of_kind if address.is_default]
            default_id = (current or of_kind)[0].id
        result = [
            address.model_copy(update={"is_default": address.id == default_id})
            if address.kind == kind
            else address
            for address in result
        ]
    return result


class ProfileChangedError(Exception):
    """Another request changed the profile since it was read."""


class Accounts:
    """Profiles and addresses of the Users table."""

    def __init__(self, pause: Callable[[float], None] = time.sleep) -> None:
        self._pause = pause

    @staticmethod
    def _table() -> Any:
        return table(USERS.logical_name)

    @staticmethod
    def delete(user_id: str) -> None:
        table(USERS.logical_name).delete_item(Key={"user_id": user_id})

    def get(self, user_id: str) -> Profile | None:
        item = self._table().get_item(Key={"user_id": user_id}, ConsistentRead=True).get("Item")
        return Profile.model_validate(from_item(item)) if item else None

    def ensure(self, user_id: str, email: str | None) -> Profile:
        """The profile, created on first use; the stored email follows the token's."""
        for _attempt in range(CHANGE_ATTEMPTS):
            profile = self.get(user_id)
            if profile is None:
                now = now_iso()
                profile = Profile(user_id=user_id, email=email, created_at=now, updated_at=now)
            elif email is None or profile.email == email:
                return profile
            else:
                profile = profile.model_copy(update={"email": email})
            try:
                return self._save(profile)
            except ProfileChangedError:
                continue
        raise Conflict("the profile changed while it was read; try again")

    def change(self, user_id: str, email: str | None, edit: Callable[[Profile], Profile]) -> Profile:
        """Apply `edit` to the current profile and save it, retrying when another request got there first."""
        for attempt in range(CHANGE_ATTEMPTS):
            profile = self.ensure(user_id, email)
            try:
                return self._save(edit(profile))
            except ProfileChangedError:
                self._pause(0.02 * (attempt + 1))
        raise Conflict("the profile changed while updating; try again")

    def _save(self, profile: Profile) -> Profile:
        expected = profile.revision
        saved = profile.model_copy(update={"revision": expected + 1, "updated_at": now_iso()})
        condition = attr("user_id").not_exists() if expected == 0 else attr("revision").eq(expected)
        try:
            self._table().put_item(
                Item=to_item(saved.model_dump(mode="json", exclude_none=True)), ConditionExpression=condition
            )
        except errors().ConditionalCheckFailedException:
            raise ProfileChangedError(profile.user_id) from None
        return saved

    # -- the routes' edits ---------------------------------------------------------------------------

    def update_profile(self, user_id: str, email: str | None, changes: ProfileChanges) -> Profile:
        requested = changes.model_dump(exclude_unset=True)
        return self.change(user_id, email, lambda profile: profile.model_copy(update=requested))

    def add_address(self, user_id: str, email: str | None, fields: AddressFields) -> tuple[Profile, Address]:
        address = Address(id=new_address_id(), **fields.model_dump())

        def edit(profile: Profile) -> Profile:
            if len(profile.addresses) >= MAX_ADDRESSES:
                raise Conflict(f"at most {MAX_ADDRESSES} saved addresses", field="addresses")
            addresses = [*profile.addresses, address]
            return profile.model_copy(
                update={"addresses": _with_defaults(addresses, address if address.is_default else None)}
            )

        profile = self.change(user_id, email, edit)
        return profile, _find(profile, address.id)

    def replace_address(
        self, user_id: str, email: str | None, address_id: str, fields: AddressFields
    ) -> tuple[Profile, Address]:
        replacement = Address(id=address_id, **fields.model_dump())

        def edit(profile: Profile) -> Profile:
            current = _find(profile, address_id)
            addresses = [
                replacement if address.id == address_id else address for address in profile.addresses
            ]
            if current.is_default and not replacement.is_default and current.kind == replacement.kind:
                # Unticking the default alone would leave the kind without one: keep it.
                replacement_kept = replacement.model_copy(update={"is_default": True})
                addresses = [
                    replacement_kept if address.id == address_id else address for address in addresses
                ]
                return profile.model_copy(update={"addresses": _with_defaults(addresses, replacement_kept)})
            chosen = replacement if replacement.is_default else None
            return profile.model_copy(update={"addresses": _with_defaults(addresses, chosen)})

        profile = self.change(user_id, email, edit)
        return profile, _find(profile, address_id)

    def delete_address(self, user_id: str, email: str | None, address_id: str) -> Profile:
        def edit(profile: Profile) -> Profile:
            _find(profile, address_id)
            remaining = [address for address in profile.addresses if address.id != address_id]
            return profile.model_copy(update={"addresses": _with_defaults(remaining)})

        return self.change(user_id, email, edit)

    def make_default(self, user_id: str, email: str | None, address_id: str) -> tuple[Profile, Address]:
        def edit(profile: Profile) -> Profile:
            chosen = _find(profile, address_id)
            return profile.model_copy(update={"addresses": _with_defaults(profile.addresses, chosen)})

        profile = self.change(user_id, email, edit)
        return profile, _find(profile, address_id)


def _find(profile: Profile, address_id: str) -> Address:
    for address in profile.addresses:
        if address.id == address_id:
            return address
    raise NotFound(f"no saved address {address_id}", field="address_id")
