"""The seller's identity on invoices and credit notes: name, postal address, contact and tax id.

A stage setting (`brand` in cdk.json), validated with this model at synth and handed as JSON in
BRAND_SETTINGS to the functions that render the documents (order_api). Plain pydantic only, so the
CDK app can import it.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Line = Annotated[str, Field(min_length=1, max_length=120)]


class SellerBrand(BaseModel):
    """Who issues the shop's invoices. Every field but `phone` and `website` is required: a tax
    document names its issuer, where to reach them and their tax registration."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seller_name: Line
    address_lines: tuple[Line, ...] = Field(min_length=1, max_length=6)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    website: str | None = Field(default=None, max_length=200)
    tax_id: Line = Field(description="the seller's tax registration as printed, e.g. 'EIN 12-3456789'")
