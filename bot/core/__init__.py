"""Vigie's core: everything about a declaration that does not need Rasa.

The field registry and the spec's values (``fields``, ``schema``), checks and
normalisers (``validators``), qualification and obligations, patient-identifier
masking (``pii``), storage, the outbox and the migrations. It imports nothing
from ``actions``, ``bot.channels``, ``bot.web`` or ``bot.admin`` (checked by
import-linter, ``make lint``).
"""
