"""Email: preferences and consent, rendering from templates, and delivery through SES."""
