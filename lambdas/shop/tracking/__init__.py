"""Behavioural tracking: product views, the watch list and the tracking events queue."""
