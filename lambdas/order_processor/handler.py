"""Consumer of order-processing: validates orders, checks stock, fans out to inventory and email."""

from shop.queue_consumer import pending_feature_handler

handler = pending_feature_handler("order processing (issue: Orders, inventory and email)")
