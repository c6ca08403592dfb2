"""A shopper's account: profile and saved addresses (read-modify-write guarded by a `revision`, so two
tabs editing addresses at once cannot lose each other's change) and their email preferences."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from shop.accounts.model import (
    MAX_ADDRESSES,
    Address,
    AddressFields,
    Profile,
    ProfileChanges,
    new_address_id,
)
from shop.accounts.repository import ProfileChangedError, ProfileRepository
from shop.email.preferences import PreferenceChanges, public_view
from shop.email.repository import EmailPreferencesRepository
from shop.platform.clock import now_iso
from shop.platform.errors import Conflict, NotFound

CHANGE_ATTEMPTS = 4


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


class Accounts:
    """A shopper's profile and saved addresses: the rules around the Users table's one item."""

    def __init__(
        self, profiles: ProfileRepository | None = None, pause: Callable[[float], None] = time.sleep
    ) -> None:
        self.profiles = profiles or ProfileRepository()
        self._pause = pause

    def get(self, user_id: str) -> Profile | None:
        return self.profiles.get(user_id)

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
                return self.profiles.save(profile)
            except ProfileChangedError:
                continue
        raise Conflict("the profile changed while it was read; try again")

    def change(self, user_id: str, email: str | None, edit: Callable[[Profile], Profile]) -> Profile:
        """Apply `edit` to the current profile and save it, retrying when another request got there first."""
        for attempt in range(CHANGE_ATTEMPTS):
            profile = self.ensure(user_id, email)
            try:
                return self.profiles.save(edit(profile))
            except ProfileChangedError:
                self._pause(0.02 * (attempt + 1))
        raise Conflict("the profile changed while updating; try again")

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


def open_account(user_id: str, email: str | None) -> Profile:
    """The profile, created on first use, and email preferences beside it: opted out, so the marketing
    scans see an explicit "no" rather than nothing."""
    profile = Accounts().ensure(user_id, email)
    EmailPreferencesRepository().ensure(user_id, email)
    return profile


def email_preferences(user_id: str, email: str | None) -> dict[str, Any]:
    return public_view(EmailPreferencesRepository().ensure(user_id, email))


def change_email_preferences(user_id: str, email: str | None, changes: PreferenceChanges) -> dict[str, Any]:
    return public_view(EmailPreferencesRepository().update(user_id, email, changes))


def unsubscribe(token: str) -> None:
    """The one-click unsubscribe of a marketing email's link: every marketing flag off."""
    EmailPreferencesRepository().unsubscribe(token)
