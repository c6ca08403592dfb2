"""The sample catalog's product pictures, drawn as small SVG illustrations from each product's data.

Generated rather than bought or downloaded: no licence to track, every file stays a few kilobytes (the
shop page loads a dozen), and a renamed or recoloured product gets a matching picture by running
`python -m cdk_app.local.product_art`, which rewrites web/img/products/. The output is deterministic,
and a unit test keeps the checked-in files equal to it.

Every picture is 800x600 (4:3, the box the pages reserve). The drawing primitives are in
product_art_svg, the objects of each kind in product_art_objects; this module says which pictures each
product has and writes them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from cdk_app.local.product_art_objects import colour_suffix, draw
from cdk_app.local.sample_products import SAMPLE_PRODUCTS, SampleProduct

IMAGE_DIRECTORY = Path(__file__).resolve().parents[2] / "web" / "img" / "products"
SITE_PATH = "/img/products"


@dataclass(frozen=True)
class ProductImage:
    """One picture of a product: `suffix` "" is the main image (<SKU>.svg), else <SKU>-<suffix>.svg."""

    sku: str
    suffix: str
    title: str
    svg: str

    @property
    def file_name(self) -> str:
        return f"{self.sku}-{self.suffix}.svg" if self.suffix else f"{self.sku}.svg"


# -- which pictures each product has -------------------------------------------------------------------


def product_images(product: SampleProduct) -> list[ProductImage]:
    """The product's pictures, main first: one per colour (apparel), then its extra views."""
    if product.colours:
        views = [
            (colour_suffix(product, colour), f"{product.name} in {colour.name}") for colour in product.colours
        ]
    else:
        views = [("", product.name)]
    views += [(view, f"{product.name}, {label}") for view, label in product.extra_views]
    return [ProductImage(product.sku, suffix, title, draw(product, suffix, title)) for suffix, title in views]


def image_url(base_url: str, sku: str, suffix: str = "") -> str:
    return f"{base_url}{SITE_PATH}/{sku}-{suffix}.svg" if suffix else f"{base_url}{SITE_PATH}/{sku}.svg"


def all_images() -> list[ProductImage]:
    return [image for product in SAMPLE_PRODUCTS for image in product_images(product)]


def write_images(directory: Path = IMAGE_DIRECTORY) -> list[Path]:
    """Rewrites `directory`'s generated pictures: every product's, and no stale file of ours."""
    directory.mkdir(parents=True, exist_ok=True)
    images = all_images()
    wanted = {image.file_name for image in images}
    skus = {product.sku for product in SAMPLE_PRODUCTS}
    for stale in directory.glob("*.svg"):
        if stale.name not in wanted and any(stale.name.startswith(sku) for sku in skus):
            stale.unlink()
    written = []
    for image in images:
        path = directory / image.file_name
        path.write_text(image.svg, encoding="utf-8")
        written.append(path)
    return written


def main() -> int:
    paths = write_images()
    largest = max(paths, key=lambda path: path.stat().st_size)
    size = largest.stat().st_size
    print(f"wrote {len(paths)} pictures to {IMAGE_DIRECTORY} (largest {largest.name}, {size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
