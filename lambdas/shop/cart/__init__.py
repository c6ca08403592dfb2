"""The shopping cart, its pricing and its cache."""
