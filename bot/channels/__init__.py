"""Vigie's input channels (Rasa ``InputChannel`` subclasses)."""
