"""account_api: profile, addresses, email preferences, privacy (export, delete) and the audit log."""
