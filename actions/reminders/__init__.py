"""Reminders: what is due, recording it (the sweep), the outbox, and the digest email."""
