"""Channel: signing in safely. The login throttle, the second factor (TOTP, recovery codes) and the security log."""
