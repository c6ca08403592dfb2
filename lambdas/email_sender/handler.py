"""Consumer of email-notification: renders templates and sends them through SES."""

from shop.queue_consumer import pending_feature_handler

handler = pending_feature_handler("email sending (issue: Orders, inventory and email)")
