"""Accounts: a shopper's profile, saved addresses and their data rights (export, delete)."""
