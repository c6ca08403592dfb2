"""Payments: the provider interface, Stripe and PayPal, webhooks, settlement and refunds."""
