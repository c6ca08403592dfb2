"""The API functions' HTTP edge: the resolver, the caller's identity and the one error-to-HTTP mapping."""
