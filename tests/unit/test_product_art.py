"""The sample catalog's generated pictures: checked in as generated, well-formed, small, all present;
and the sample apparel's variants as the seed sends them."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse
from xml.etree import ElementTree

import pytest

from cdk_app.local.product_art import IMAGE_DIRECTORY, ProductImage, all_images, product_images
from cdk_app.local.sample_products import (
    ONE_SIZE,
    SAMPLE_PRODUCTS,
    XXL_SURCHARGE_CENTS,
    SampleProduct,
    variants,
)
from cdk_app.local.seed import product_body
from shop.catalog.model import ProductDraft

SVG = "{http://www.w3.org/2000/svg}"
WEB_ROOT = IMAGE_DIRECTORY.parents[1]
MAX_BYTES = 8 * 1024  # a dozen on the shop page: Lighthouse's mobile performance stays >= 95


def test_the_checked_in_pictures_are_the_generators_output() -> None:
    # Regenerate with `.venv/bin/python -m cdk_app.local.product_art` rather than editing a file.
    images = all_images()
    for image in images:
        path = IMAGE_DIRECTORY / image.file_name
        assert path.is_file(), f"{path} is missing: run python -m cdk_app.local.product_art"
        assert path.read_text(encoding="utf-8") == image.svg, f"{path} differs from the generator's output"
    skus = tuple(product.sku for product in SAMPLE_PRODUCTS)
    ours = {path.name for path in IMAGE_DIRECTORY.glob("*.svg") if path.name.startswith(skus)}
    assert ours == {image.file_name for image in images}, "a stale picture is left in web/img/products"


def test_the_output_is_deterministic() -> None:
    assert [image.svg for image in all_images()] == [image.svg for image in all_images()]


@pytest.mark.parametrize("image", all_images(), ids=lambda image: image.file_name)
def test_each_picture_is_a_small_titled_800x600_svg(image: ProductImage) -> None:
    root = ElementTree.fromstring(image.svg)  # well-formed XML, or this raises
    assert root.tag == f"{SVG}svg"
    # The pages reserve a 4:3 box; width and height let the browser size it before the file arrives.
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("800", "600", "0 0 800 600")
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == image.title
    name = next(product.name for product in SAMPLE_PRODUCTS if product.sku == image.sku)
    assert image.title.startswith(name)  # "Cross T-Shirt in Forest Green", "Study Bible, back cover"
    assert len(image.svg.encode()) < MAX_BYTES
    # Nothing the site's CSP would refuse or that loads more: no scripts, styles, fonts or links out.
    assert not re.search(r"<script|<style|@font-face|<image|url\((?!#)", image.svg)
    assert re.findall(r"https?://[^\"']+", image.svg) == ["http://www.w3.org/2000/svg"]


def test_books_apparel_and_the_mug_have_more_than_one_picture() -> None:
    by_sku = {product.sku: product for product in SAMPLE_PRODUCTS}
    suffixes = {sku: [image.suffix for image in product_images(by_sku[sku])] for sku in by_sku}
    assert suffixes["BK-STUDY-BIBLE"] == ["", "back", "inside"]
    assert suffixes["AP-TEE-CROSS"] == ["", "heather-grey", "forest-green", "back"]
    assert suffixes["MC-MUG"] == ["", "side-b"]
    assert suffixes["BK-PRAYER"] == [""]


def _local_file(url: str) -> Path:
    return WEB_ROOT / urlparse(url).path.lstrip("/")


@pytest.mark.parametrize("product", SAMPLE_PRODUCTS, ids=lambda product: product.sku)
def test_every_seeded_image_url_has_its_file_and_the_api_model_accepts_the_body(
    product: SampleProduct,
) -> None:
    body = product_body(product, base_url="http://127.0.0.1:8000")
    urls = [body["image_url"], *body["images"], *(variant["image_url"] for variant in body["variants"])]
    for url in urls:
        assert _local_file(url).is_file(), url
    assert body["image_url"] == body["images"][0]
    if product.digital:
        file_id = "0" * 32  # the seed uploads the real file; its reference has this shape
        body["digital_files"] = [
            {"file_id": file_id, "key": f"files/{file_id}/{'1' * 32}", "file_name": "a.pdf"}
            | {"content_type": "application/pdf"}
        ]
    draft = ProductDraft.model_validate(body)  # what POST /products validates
    assert draft.subcategory == product.subcategory
    assert len(draft.variants) == len(variants(product))


def test_apparel_variants_sum_to_the_products_stock_and_xxl_costs_more() -> None:
    apparel = [product for product in SAMPLE_PRODUCTS if product.colours]
    assert {product.sku for product in apparel} == {"AP-TEE-CROSS", "AP-HOODIE", "AP-CAP", "AP-POLO"}
    everything = [variant for product in apparel for variant in variants(product)]
    assert len({variant.sku for variant in everything}) == len(everything)
    for product in apparel:
        listed = variants(product)
        assert sum(variant.stock for variant in listed) == product.stock
        assert 2 <= len(product.colours) <= 4
        # The product page picks the first variant: it has stock to spare for the tests' orders.
        assert listed[0].stock > 5
        for variant in listed:
            expected = product.price_cents + XXL_SURCHARGE_CENTS if variant.size == "XXL" else None
            assert variant.price_cents == expected
    assert {variant.size for variant in variants(next(p for p in apparel if p.sku == "AP-CAP"))} == {ONE_SIZE}
    assert any(variant.stock == 0 for variant in everything)  # sold out in one size
    assert any(0 < variant.stock <= 5 for variant in everything)  # "only a few left"
    tee = {(v.size, v.colour.name): v for v in variants(next(p for p in apparel if p.sku == "AP-TEE-CROSS"))}
    assert tee["M", "Navy"].sku == "AP-TEE-CROSS-NAVY-M"
    assert tee["M", "Navy"].stock > 0


def test_the_catalog_keeps_its_thirty_products_and_stock_states() -> None:
    # Many tests name these products and count on their stock: the richer data must not move them.
    assert len(SAMPLE_PRODUCTS) == 30
    stock = {product.sku: product.stock for product in SAMPLE_PRODUCTS}
    assert stock["BK-COMMENTARY"] == 0
    assert (stock["AP-BEANIE"], stock["MC-TOTE"]) == (4, 3)
    assert sum(product.featured for product in SAMPLE_PRODUCTS) == 6
    for product in SAMPLE_PRODUCTS:
        sentences = re.findall(r"[.!?](?:\s|$)", product.description)
        assert 2 <= len(sentences) <= 6, product.sku
        assert product.subcategory
