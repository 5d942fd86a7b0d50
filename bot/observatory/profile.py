"""Distributions of the synthetic declarations: the one table to edit.

Each figure names the line of shared/spec/guidance.md it comes from
("guidance.md:68" = line 68, the 2021 row of the "Figures" table). A figure
marked PLAUSIBLE has no source in guidance.md: it is our own choice, made to
look like the ANS observatory reports, and may be changed freely.

Where a field depends on the incident type (ransomware degrades activity far
more often than a lost phone), the type only gives a relative *factor*; the
overall share is the guidance target and ``scaled_rates`` turns the factors
into per-type probabilities whose weighted mean is that target.
"""

from __future__ import annotations

from typing import Dict, NamedTuple

from bot.core.schema import INCIDENT_TYPE_ORIGIN

# --- Volume ------------------------------------------------------------------------

# Declarations a year: 2021: 733, 2022: 592, 2023: 581, 2024: 749
# (guidance.md:68-71). A year's default count is drawn uniformly in this range.
ANNUAL_COUNT_RANGE = (581, 749)

# Distinct structures / declarations: 422 / 581 in 2023 (guidance.md:70),
# 558 / 749 in 2024 (guidance.md:71); 300 / 392 in 2019 (guidance.md:66).
# The population size is solved from this ratio (see population.py).
DISTINCT_STRUCTURE_RATIO = (422 / 581 + 558 / 749) / 2

# --- Origin and incident type --------------------------------------------------------

# Malicious: 50 % in 2022 and 2023 (guidance.md:69-70), 52 % in 2021
# (guidance.md:68); "half of all declarations are non-malicious" (guidance.md:32).
MALICIOUS_SHARE = 0.50
# Type "autre" (origin indéterminée): PLAUSIBLE.
OTHER_TYPE_SHARE = 0.03
NON_MALICIOUS_SHARE = 1 - MALICIOUS_SHARE - OTHER_TYPE_SHARE

# 40 ransomware cases among 749 declarations in 2024 (guidance.md:71).
RANSOMWARE_SHARE = 40 / 749


class TypeProfile(NamedTuple):
    """How often things happen with one incident type. ``weight``: relative frequency within its
    origin; ``care``, ``support``: factors (see ``scaled_rates``); ``c``, ``i``,
    ``a``: probability of an impact on confidentiality, integrity, availability;
    ``health``: probability that health data are involved; ``provider``,
    ``spread``: probability of provider_involved / spread_risk = oui. All
    PLAUSIBLE except the ransomware weight, set below from RANSOMWARE_SHARE.
    What the incidents look like (text, systems, perimeter) is in narratives.py."""

    weight: float
    care: float
    support: float
    c: float
    i: float
    a: float
    health: float
    provider: float
    spread: float


TYPE_PROFILES: Dict[str, TypeProfile] = {
    #                             weight care support  c    i    a  health provider spread
    # Malicious (weights: PLAUSIBLE, except rancongiciel).
    "rancongiciel": TypeProfile(0.0, 3.0, 3.2, 0.35, 0.90, 0.95, 0.80, 0.15, 0.35),
    "compromission_compte": TypeProfile(0.24, 0.15, 0.80, 0.55, 0.10, 0.10, 0.35, 0.05, 0.30),
    "hameconnage": TypeProfile(0.17, 0.10, 0.60, 0.30, 0.05, 0.05, 0.20, 0.05, 0.25),
    "compromission_si": TypeProfile(0.12, 1.30, 2.20, 0.45, 0.45, 0.55, 0.50, 0.20, 0.35),
    "logiciel_malveillant": TypeProfile(0.08, 0.80, 1.30, 0.20, 0.40, 0.50, 0.30, 0.05, 0.30),
    "fraude_usurpation": TypeProfile(0.07, 0.05, 0.60, 0.20, 0.10, 0.00, 0.05, 0.10, 0.10),
    "fuite_donnees": TypeProfile(0.06, 0.10, 1.40, 1.0, 0.05, 0.05, 0.80, 0.35, 0.20),
    "vol_perte_materiel": TypeProfile(0.05, 0.10, 0.30, 0.80, 0.00, 0.40, 0.60, 0.05, 0.02),
    "deni_de_service": TypeProfile(0.05, 0.70, 1.50, 0.00, 0.00, 1.0, 0.05, 0.30, 0.30),
    "acces_illegitime_interne": TypeProfile(0.03, 0.00, 0.30, 1.0, 0.10, 0.00, 0.95, 0.00, 0.00),
    "defiguration": TypeProfile(0.02, 0.05, 0.80, 0.05, 0.90, 0.30, 0.00, 0.50, 0.05),
    # Not malicious (weights: PLAUSIBLE).
    "panne_materielle": TypeProfile(0.25, 1.90, 0.30, 0.00, 0.25, 0.95, 0.40, 0.25, 0.10),
    "dysfonctionnement_logiciel": TypeProfile(0.25, 1.60, 0.20, 0.10, 0.40, 0.85, 0.50, 0.45, 0.15),
    "defaillance_prestataire": TypeProfile(0.22, 1.90, 0.30, 0.15, 0.15, 0.95, 0.45, 1.0, 0.55),
    "perte_lien_telecom": TypeProfile(0.12, 2.00, 0.10, 0.00, 0.00, 1.0, 0.10, 0.70, 0.35),
    "sinistre": TypeProfile(0.08, 2.30, 0.30, 0.00, 0.20, 1.0, 0.30, 0.20, 0.15),
    "erreur_humaine": TypeProfile(0.08, 0.40, 0.20, 0.70, 0.30, 0.20, 0.65, 0.10, 0.05),
    # Origin indéterminée.
    "autre": TypeProfile(1.0, 1.00, 1.00, 0.20, 0.20, 0.50, 0.30, 0.20, 0.15),
}


def _ransomware_weight() -> float:
    """The weight that makes rancongiciel exactly RANSOMWARE_SHARE of all declarations."""
    within = RANSOMWARE_SHARE / MALICIOUS_SHARE
    others = sum(
        p.weight for t, p in TYPE_PROFILES.items() if INCIDENT_TYPE_ORIGIN[t] == "malveillante" and t != "rancongiciel"
    )
    return within / (1 - within) * others


TYPE_PROFILES["rancongiciel"] = TYPE_PROFILES["rancongiciel"]._replace(weight=_ransomware_weight())

# --- Structures ----------------------------------------------------------------------

# 65 % hospitals and 25 % medico-social in 2021 (guidance.md:68); how the 65 %
# split between public, private and ESPIC, and the remaining 10 %: PLAUSIBLE.
STRUCTURE_TYPE_SHARES: Dict[str, float] = {
    "etablissement_sante_public": 0.42,
    "etablissement_sante_prive": 0.15,
    "etablissement_sante_prive_non_lucratif": 0.08,
    "esms": 0.25,
    "laboratoire_biologie_medicale": 0.05,
    "centre_radiotherapie": 0.01,
    "hopital_armees": 0.01,
    "autre": 0.03,
}
HOSPITAL_TYPES = (
    "etablissement_sante_public",
    "etablissement_sante_prive",
    "etablissement_sante_prive_non_lucratif",
)

# OSE: every GHT support hospital since 2021, CHU (guidance.md:53). Share of
# the other public hospitals that are GHT support hospitals: PLAUSIBLE
# (about 136 GHT for some 500 public hospitals).
OSE_SHARE_PUBLIC_NON_CHU = 0.25
# Declarations that give no FINESS, and, among them, no region either: PLAUSIBLE.
NO_FINESS_SHARE = 0.08
NO_REGION_WITHOUT_FINESS_SHARE = 0.4

# --- Impacts and follow-up --------------------------------------------------------------

# Activity in degraded mode: 39 % in 2022 (guidance.md:69), 32 % in 2023
# (guidance.md:70). Interruption (déprogrammation, transfers): PLAUSIBLE.
DEGRADED_MODE_SHARE = (0.39 + 0.32) / 2
INTERRUPTION_SHARE = 0.04
ACTIVITY_AFFECTED_SHARE = DEGRADED_MODE_SHARE + INTERRUPTION_SHARE
# Asked CERT Santé for support: 26 % in 2021 (guidance.md:68), 29 % in 2022
# (guidance.md:69).
SUPPORT_SHARE = (0.26 + 0.29) / 2

# Patient endangerment given the effect on activity: PLAUSIBLE.
ENDANGERMENT_BY_CARE = {"aucun": 0.04, "mode_degrade": 0.25, "interruption": 0.50}
ACTUAL_HARM_SHARE = 0.08  # of endangerments that are "avérée": PLAUSIBLE
HEALTH_DATA_UNKNOWN_SHARE = 0.10  # "je ne sais pas": PLAUSIBLE
SPREAD_UNKNOWN_SHARE = 0.20  # PLAUSIBLE
PROVIDER_UNKNOWN_SHARE = 0.10  # PLAUSIBLE
DATA_IMPACT_UNKNOWN_SHARE = 0.05  # data_impact left unanswered: PLAUSIBLE
STARTED_AT_KNOWN_SHARE = 0.40  # PLAUSIBLE

HANDLING_STATUS = {"en_cours": 0.55, "maitrise": 0.30, "resolu": 0.15}  # PLAUSIBLE
# Asked only for malicious incidents (None: not answered): PLAUSIBLE.
COMPLAINT = {"oui": 0.40, "prevue": 0.30, "non": 0.15, None: 0.15}
# Asked only when personal data are involved: PLAUSIBLE.
CNIL = {"oui": 0.30, "prevue": 0.35, "non": 0.15, None: 0.20}
CHANNELS = {"web": 0.70, "teams": 0.12, "slack": 0.06, "rest": 0.12}  # PLAUSIBLE

# --- Delay from detection to declaration ---------------------------------------------

# "In 2019, 70 % were declared the same day and 80 % within 24 hours" (guidance.md:17-18).
SAME_DAY_SHARE = 0.70
WITHIN_24H_SHARE = 0.80
# Same-day delays: exponential, mean in hours; later ones: 24 h + exponential,
# capped. PLAUSIBLE.
SAME_DAY_MEAN_HOURS = 3.0
LATE_MEAN_EXTRA_HOURS = 96.0
LATE_MAX_DAYS = 45

# When declarations are submitted: PLAUSIBLE (weekdays and office hours dominate).
WEEKDAY_WEIGHTS = (1.0, 1.0, 1.0, 1.0, 0.95, 0.45, 0.35)  # Monday first
HOUR_WEIGHTS = (
    0.6,
    0.4,
    0.3,
    0.3,
    0.3,
    0.4,
    0.8,
    1.5,
    3.0,
    4.0,
    4.0,
    3.6,  # 0 h - 11 h
    2.5,
    3.2,
    3.8,
    3.6,
    3.2,
    2.6,
    1.8,
    1.2,
    1.0,
    0.9,
    0.8,
    0.7,  # 12 h - 23 h
)


def type_share(incident_type: str) -> float:
    """Share of declarations of this type (origin share x weight within origin)."""
    origin_share = {
        "malveillante": MALICIOUS_SHARE,
        "non_malveillante": NON_MALICIOUS_SHARE,
        "indeterminee": OTHER_TYPE_SHARE,
    }[INCIDENT_TYPE_ORIGIN[incident_type]]
    group = [t for t in TYPE_PROFILES if INCIDENT_TYPE_ORIGIN[t] == INCIDENT_TYPE_ORIGIN[incident_type]]
    return origin_share * TYPE_PROFILES[incident_type].weight / sum(TYPE_PROFILES[t].weight for t in group)


def scaled_rates(target: float, factor: str) -> Dict[str, float]:
    """Per-type probabilities proportional to ``TypeProfile.<factor>``, capped at
    1, whose mean weighted by the type shares is ``target``: the types that reach
    the cap are fixed at 1 and the others are scaled up to make up for them."""
    shares = {t: type_share(t) for t in TYPE_PROFILES}
    factors = {t: getattr(p, factor) for t, p in TYPE_PROFILES.items()}
    capped: set = set()
    while True:
        left = target - sum(shares[t] for t in capped)
        mean = sum(shares[t] * factors[t] for t in factors if t not in capped)
        rates = {t: 1.0 if t in capped else left * factors[t] / mean for t in factors}
        over = {t for t, rate in rates.items() if rate > 1.0}
        if not over:
            return rates
        capped |= over
