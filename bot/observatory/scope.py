"""Which declarations the observatory counts besides the period: one region, one
structure type, or all of them; named in French on the page, the PDF and the CSV."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional

from bot.core import schema

ALL_REGIONS = "toutes les régions"
ALL_STRUCTURE_TYPES = "tous les types de structure"


@dataclass(frozen=True)
class Scope:
    region: Optional[str] = None  # a value of schema.REGIONS, None for all
    structure_type: Optional[str] = None  # a value of schema.STRUCTURE_TYPES, None for all

    def __post_init__(self) -> None:
        if self.region is not None and self.region not in schema.REGIONS:
            raise ValueError(f"Région : valeur inconnue « {self.region} ».")
        if self.structure_type is not None and self.structure_type not in schema.STRUCTURE_TYPES:
            raise ValueError(f"Type de structure : valeur inconnue « {self.structure_type} ».")

    @property
    def filters(self) -> Dict[str, str]:
        """The ``DeclarationStore`` filters of this scope."""
        pairs = {"region": self.region, "structure_type": self.structure_type}
        return {key: value for key, value in pairs.items() if value is not None}

    @property
    def is_everything(self) -> bool:
        return not self.filters

    def matches(self, declaration: Dict[str, Any]) -> bool:
        return all(declaration.get(key) == value for key, value in self.filters.items())

    def select(self, declarations: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
        return [declaration for declaration in declarations if self.matches(declaration)]

    def region_label(self) -> str:
        return f"région « {schema.REGIONS[self.region]} »" if self.region else ALL_REGIONS

    def structure_type_label(self) -> str:
        if self.structure_type is None:
            return ALL_STRUCTURE_TYPES
        return f"type de structure « {schema.STRUCTURE_TYPES[self.structure_type]} »"

    def label_fr(self) -> str:
        """ "région « Bretagne », tous les types de structure"."""
        return f"{self.region_label()}, {self.structure_type_label()}"

    def as_dict(self) -> Dict[str, Any]:
        return {"region": self.region, "structure_type": self.structure_type, "label": self.label_fr()}
