"""Orders: placing, the processing pipeline, stock reservations, refunds requests and history."""
