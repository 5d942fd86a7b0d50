"""Forwarding of stored declarations to the authority (the outbox worker)."""
