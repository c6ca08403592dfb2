"""Promotions: discount codes the owner controls, personal codes from marketing mail, redemptions."""
