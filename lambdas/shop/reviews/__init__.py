"""Product reviews and helpfulness votes."""
