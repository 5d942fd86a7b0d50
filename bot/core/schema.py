"""The spec's value lists and field groups, as plain dicts and lists derived from the registry.

``bot.core.fields`` is where a field is defined; this module gives the views
that storage, exports, the API and the pages iterate over (value -> French
label dicts, lists of field names). Nothing here is written by hand twice.
"""

from typing import Dict, List

from bot.core import fields as registry
from bot.core.fields import (
    DESCRIPTION_MAX_LENGTH,  # noqa: F401 (re-exported)
    FINESS_LENGTH,  # noqa: F401 (re-exported)
    AffectedSystem,
    Authority,
    CareImpact,
    Channel,
    DataImpact,
    HandlingStatus,
    IncidentType,
    Kind,
    Origin,
    PatientEndangerment,
    Perimeter,
    Region,
    Status,
    StructureType,
    YesNo,
    YesNoPlanned,
    YesNoUnknown,
)

# --- Enumerations: value -> French label -----------------------------------

STRUCTURE_TYPES: Dict[str, str] = StructureType.labels()
REGIONS: Dict[str, str] = Region.labels()
INCIDENT_TYPES: Dict[str, str] = IncidentType.labels()
MALICIOUS_INCIDENT_TYPES: Dict[str, str] = {t.value: t.label for t in IncidentType if t.origin is Origin.MALVEILLANTE}
NON_MALICIOUS_INCIDENT_TYPES: Dict[str, str] = {
    t.value: t.label for t in IncidentType if t.origin is Origin.NON_MALVEILLANTE
}
ORIGINS: Dict[str, str] = Origin.labels()
# Default origin implied by each incident type.
INCIDENT_TYPE_ORIGIN: Dict[str, str] = {t.value: t.origin.value for t in IncidentType}
PERIMETERS: Dict[str, str] = Perimeter.labels()
AFFECTED_SYSTEMS: Dict[str, str] = AffectedSystem.labels()
CARE_IMPACT: Dict[str, str] = CareImpact.labels()
PATIENT_ENDANGERMENT: Dict[str, str] = PatientEndangerment.labels()
DATA_IMPACT: Dict[str, str] = DataImpact.labels()
STATUSES: Dict[str, str] = Status.labels()
CHANNELS: Dict[str, str] = Channel.labels()
AUTHORITIES: Dict[str, str] = Authority.labels()
HANDLING_STATUSES: Dict[str, str] = HandlingStatus.labels()
YES_NO_UNKNOWN: Dict[str, str] = YesNoUnknown.labels()
YES_NO: Dict[str, str] = YesNo.labels()
YES_NO_PLANNED: Dict[str, str] = YesNoPlanned.labels()

# --- Fields ------------------------------------------------------------------

# Fields collected from the declarant, in the spec's order (blocks A to E).
FIELDS: List[str] = [f.name for f in registry.REGISTRY]
# Fields computed by the system, never asked, in the spec's order.
COMPUTED_FIELDS: List[str] = list(registry.COMPUTED)
REQUIRED_FIELDS: List[str] = [f.name for f in registry.REGISTRY if f.required]
# Single-valued enumerated fields -> allowed values.
ENUM_FIELDS: Dict[str, Dict[str, str]] = {f.name: f.values for f in registry.of_kind(Kind.CHOICE)}
# Multi-valued enumerated fields (stored as JSON lists) -> allowed values.
LIST_FIELDS: Dict[str, Dict[str, str]] = {f.name: f.values for f in registry.of_kind(Kind.CHOICES)}
DATETIME_FIELDS: List[str] = [f.name for f in registry.of_kind(Kind.DATETIME)]
INTEGER_FIELDS: List[str] = [f.name for f in registry.of_kind(Kind.INTEGER)]
TEXT_FIELDS: List[str] = [f.name for f in registry.of_kind(Kind.TEXT)]

# Field name -> French label, for summaries and error messages.
FIELD_LABELS: Dict[str, str] = {**{f.name: f.label for f in registry.REGISTRY}, **registry.COMPUTED}
