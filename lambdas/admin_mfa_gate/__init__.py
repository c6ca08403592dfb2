"""admin_mfa_gate: the pre token generation trigger that gives `admin` only to users with TOTP MFA."""
