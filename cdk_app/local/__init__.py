"""The local shop: the same CDK app, handlers and queues, run on one machine without AWS."""
