"""Authentication logic: passwords, sessions, MFA, single sign-on and the sign-in flows.

Services flush and never commit: the boundary owns the transaction.
"""
