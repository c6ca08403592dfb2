"""shop_api: catalog, categories and reviews (seed 001, function 1)."""
