"""tracking_processor: the consumer of the tracking-events queue."""
