"""Counts of declarations for the list page."""

from typing import Any, Dict

from bot.core.storage import DeclarationStore


def count_matching(store: DeclarationStore, filters: Dict[str, Any]) -> Dict[str, int]:
    """{"total", "grave", "significatif"} among the declarations matching ``filters``."""
    return {
        "total": store.count(filters),
        "grave": store.count(filters, {"grave": True}),
        "significatif": store.count(filters, {"significatif": True}),
    }
