"""The shop's identity per stage: what shoppers see (name, tagline, logo, colours, contact, social links)
and what tax documents print (the seller's legal name, postal address and tax id).

A stage setting (`brand` in cdk.json), validated with this model at synth. The site gets it rendered
into every page and config.json (cdk_app/site_pages.py); the functions that render emails and invoices
get it as JSON in BRAND_SETTINGS. Plain pydantic only, so the CDK app can import it.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Line = Annotated[str, Field(min_length=1, max_length=120)]
HexColour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]
HttpsUrl = Annotated[str, Field(pattern=r"^https://[^\s\"'<>]+$", max_length=300)]
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
SocialNetwork = Literal["facebook", "instagram", "youtube", "x", "tiktok", "pinterest", "linkedin"]

WHITE = "#ffffff"
# WCAG 2.x AA for body text: a colour pair below this fails Lighthouse's and axe's contrast checks.
MIN_CONTRAST = 4.5


def _luminance(colour: str) -> float:
    """Relative luminance of a #rrggbb colour (WCAG 2.x)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours, 1 to 21."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


class BrandColours(BaseModel):
    """The palette every page, email and document uses. Checked at synth for readable contrast, so a
    rebrand cannot ship text that shoppers (and accessibility audits) cannot read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    primary: HexColour = Field(description="buttons, links and the header; white text sits on it")
    accent: HexColour = Field(description="highlights: sale badges, the hero's call to action; white text")
    ink: HexColour = Field(default="#1f2328", description="body text on `surface`")
    surface: HexColour = Field(default="#ffffff", description="the page background (light)")

    @model_validator(mode="after")
    def _readable(self) -> BrandColours:
        pairs = {
            "white text on primary": (WHITE, self.primary),
            "white text on accent": (WHITE, self.accent),
            "ink on surface": (self.ink, self.surface),
            "primary links on surface": (self.primary, self.surface),
        }
        for what, (text, background) in pairs.items():
            ratio = contrast(text, background)
            if ratio < MIN_CONTRAST:
                raise ValueError(f"{what} has contrast {ratio:.2f}:1, below WCAG AA's {MIN_CONTRAST}:1")
        return self


class SocialLink(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    network: SocialNetwork
    url: HttpsUrl


class Brand(BaseModel):
    """One block per stage: a platform engineer rebrands the whole shop by editing it.

    The seller fields are required because a tax document names its issuer, where to reach them and
    their tax registration; `phone` and `website` are optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # What shoppers see.
    shop_name: str = Field(min_length=1, max_length=60)
    tagline: str = Field(min_length=1, max_length=120)
    # The default meta description of pages without their own (search results show ~155 characters).
    description: str = Field(min_length=50, max_length=160)
    logo: str = Field(
        pattern=r"^img/[A-Za-z0-9/_-]+\.(svg|png|webp)$",
        description="path of the logo inside web/, shown in the header, emails and documents",
    )
    colours: BrandColours
    contact_email: Email
    social: tuple[SocialLink, ...] = Field(default=(), max_length=8)
    # Who sells: printed on invoices and credit notes and in the footer and the contact page.
    seller_name: Line
    address_lines: tuple[Line, ...] = Field(min_length=1, max_length=6)
    email: Email = Field(description="the seller's billing address, printed on invoices")
    phone: str | None = Field(default=None, max_length=40)
    website: str | None = Field(default=None, max_length=200)
    tax_id: Line = Field(description="the seller's tax registration as printed, e.g. 'EIN 12-3456789'")

    @field_validator("shop_name", "tagline", "description")
    @classmethod
    def _plain_text(cls, value: str) -> str:
        # Rendered into HTML attributes and email subjects: markup here would be a rebrand's XSS.
        if re.search(r"[<>]", value):
            raise ValueError("must be plain text (no < or >)")
        return value
