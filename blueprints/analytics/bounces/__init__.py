"""Bounces of SMTP sending: the bounce mailbox (IMAP/POP3) and RFC 3464 reports."""
