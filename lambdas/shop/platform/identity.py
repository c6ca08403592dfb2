"""Who is calling: a signed-in shopper, an administrator or a guest, as the domain services see them."""

from __future__ import annotations

from dataclasses import dataclass

from shop.platform.errors import Forbidden, Unauthorized
from shop.platform.settings import get_settings


@dataclass(frozen=True)
class Caller:
    """The caller's identity, from the Cognito claims that API Gateway's authorizer verified."""

    user_id: str | None
    email: str | None
    groups: frozenset[str]
    email_verified: bool = False

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None

    @property
    def is_admin(self) -> bool:
        return get_settings().admin_group in self.groups

    def require_signed_in(self) -> str:
        if self.user_id is None:
            raise Unauthorized("sign in to use this route")
        return self.user_id

    def require_admin(self) -> str:
        user_id = self.require_signed_in()
        if not self.is_admin:
            raise Forbidden("this route is for shop administrators")
        return user_id
