"""The catalog: products, search, the product cache and the administrators' product tools."""
