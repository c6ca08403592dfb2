"""Consumer of payment-processing: verifies payments with the provider and settles orders."""

from shop.queue_consumer import pending_feature_handler

handler = pending_feature_handler("payment processing (issue: Payments)")
