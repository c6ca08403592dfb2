"""cart_api: the shopping cart of shoppers and guests (seed 001, function 2)."""
