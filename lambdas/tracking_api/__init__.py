"""tracking_api: behavioural tracking, recommendations and the watch list."""
