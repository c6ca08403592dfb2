"""Consumer of inventory-update: atomic stock decrements, restocks, low-stock events."""

from shop.queue_consumer import pending_feature_handler

handler = pending_feature_handler("stock updates (issue: Orders, inventory and email)")
