#!/usr/bin/env python3
"""Validate the persona corpus and print its coverage.

Usage: python3 tests/personas/check_corpus.py [--quiet]

Reads only the YAML files of tests/personas/dev and tests/personas/check.
Exits non-zero when a persona breaks the format described in README.md.
"""

import collections
import glob
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))

ASKED_FIELDS = [
    # A. structure
    "structure_name",
    "finess",
    "structure_type",
    "region",
    "is_ose",
    # B. declarant
    "declarant_name",
    "declarant_role",
    "declarant_email",
    "declarant_phone",
    # C. incident
    "detected_at",
    "started_at",
    "incident_type",
    "origin",
    "description",
    "perimeter",
    "affected_systems",
    "provider_involved",
    "handling_status",
    "measures_taken",
    # D. impacts
    "care_impact",
    "patient_endangerment",
    "data_impact",
    "health_data_involved",
    "persons_affected",
    "spread_risk",
    # E. cause and follow-up
    "cause",
    "support_requested",
    "complaint_filed",
    "cnil_notified",
]
CONTACT = ["declarant_name", "declarant_role", "declarant_email", "declarant_phone"]
REQUIRED = [
    "structure_name",
    "structure_type",
    "declarant_name",
    "declarant_role",
    "declarant_email",
    "declarant_phone",
    "detected_at",
    "incident_type",
    "description",
    "care_impact",
    "patient_endangerment",
    "health_data_involved",
    "support_requested",
]

ENUMS = {
    "structure_type": [
        "etablissement_sante_public",
        "etablissement_sante_prive",
        "etablissement_sante_prive_non_lucratif",
        "hopital_armees",
        "laboratoire_biologie_medicale",
        "centre_radiotherapie",
        "esms",
        "autre",
    ],
    "region": [
        "auvergne_rhone_alpes",
        "bourgogne_franche_comte",
        "bretagne",
        "centre_val_de_loire",
        "corse",
        "grand_est",
        "hauts_de_france",
        "ile_de_france",
        "normandie",
        "nouvelle_aquitaine",
        "occitanie",
        "pays_de_la_loire",
        "provence_alpes_cote_d_azur",
        "guadeloupe",
        "guyane",
        "martinique",
        "la_reunion",
        "mayotte",
    ],
    "is_ose": ["oui", "non"],
    "incident_type": [
        "rancongiciel",
        "compromission_si",
        "compromission_compte",
        "hameconnage",
        "fuite_donnees",
        "vol_perte_materiel",
        "deni_de_service",
        "defiguration",
        "fraude_usurpation",
        "logiciel_malveillant",
        "acces_illegitime_interne",
        "panne_materielle",
        "dysfonctionnement_logiciel",
        "defaillance_prestataire",
        "perte_lien_telecom",
        "sinistre",
        "erreur_humaine",
        "autre",
    ],
    "origin": ["malveillante", "non_malveillante", "indeterminee"],
    "perimeter": [
        "poste",
        "plusieurs_postes",
        "serveur",
        "plusieurs_serveurs",
        "ensemble_si",
        "plusieurs_sites",
        "prestataire",
        "site_internet",
    ],
    "provider_involved": ["oui", "non"],
    "handling_status": ["en_cours", "maitrise", "resolu"],
    "care_impact": ["aucun", "mode_degrade", "interruption"],
    "patient_endangerment": ["aucune", "potentielle", "averee"],
    "health_data_involved": ["oui", "non"],
    "spread_risk": ["oui", "non"],
    "support_requested": ["oui", "non"],
    "complaint_filed": ["oui", "non", "prevue"],
    "cnil_notified": ["oui", "non", "prevue"],
}
LISTS = {
    "affected_systems": [
        "dpi",
        "pacs_ris",
        "laboratoire_sil",
        "prescription_pharmacie",
        "messagerie",
        "annuaire_ad",
        "acces_distant_vpn",
        "telephonie",
        "reseau_telecom",
        "site_internet",
        "gestion_administrative",
        "rh_paie",
        "biomedical",
        "regulation_samu",
        "serveurs_infrastructure",
        "sauvegardes",
        "poste_de_travail",
        "autre",
    ],
    "data_impact": ["disponibilite", "integrite", "confidentialite"],
}
MALICIOUS = [
    "rancongiciel",
    "compromission_si",
    "compromission_compte",
    "hameconnage",
    "fuite_donnees",
    "vol_perte_materiel",
    "deni_de_service",
    "defiguration",
    "fraude_usurpation",
    "logiciel_malveillant",
    "acces_illegitime_interne",
]
EXPECTED_KEYS = (
    set(ENUMS)
    | set(LISTS)
    | {
        "structure_name_hint",
        "finess",
        "declarant_name",
        "declarant_role",
        "declarant_email",
        "declarant_phone",
        "detected_at",
        "started_at",
        "persons_affected",
        "qualification",
        "unknown_fields",
        "pii_masked",
        "must_not_store",
    }
)
PERSONA_KEYS = {
    "id",
    "who",
    "register",
    "opening_kind",
    "opening",
    "answers",
    "contact_at_once",
    "script",
    "trap",
    "expected",
}
REGISTERS = ["sms", "ordinary", "formal", "anxious", "novice", "rssi"]
OPENING_KINDS = ["short", "long", "question", "must_declare", "greeting", "in_progress", "plain"]
SCRIPT_KINDS = ["question", "correction", "cancel_then_resume", "dont_know", "extra_facts"]
TRAPS = ["patient_date", "patient_identifier"]
WEEKDAYS = re.compile(r"\b(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\b", re.I)
ABS_DATE = re.compile(
    r"\b\d{1,2}/\d{1,2}(/\d{2,4})?\b|\b\d{1,2} (janvier|février|fevrier|"
    r"mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|"
    r"décembre|decembre)\b",
    re.I,
)


def check_date(v, where, errors):
    if not isinstance(v, dict):
        errors.append(f"{where}: date must be a mapping")
        return
    if set(v) == {"hours_ago"}:
        if not isinstance(v["hours_ago"], (int, float)) or v["hours_ago"] < 0:
            errors.append(f"{where}: bad hours_ago")
    elif set(v) == {"days_ago", "time"}:
        if not isinstance(v["days_ago"], int) or v["days_ago"] < 0:
            errors.append(f"{where}: bad days_ago")
        t = v["time"]
        if t is not None and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", str(t)):
            errors.append(f"{where}: bad time {t!r}")
    else:
        errors.append(f"{where}: date keys must be hours_ago or days_ago+time")


def date_minutes_ago(v, now="11:00"):
    """Rough age in minutes with the clock at `now`, to check started <= detected."""
    if "hours_ago" in v:
        return v["hours_ago"] * 60
    h, m = map(int, now.split(":"))
    t = v["time"] or "12:00"
    th, tm = map(int, t.split(":"))
    return v["days_ago"] * 1440 + (h * 60 + m) - (th * 60 + tm)


def load(split):
    out = []
    for path in sorted(glob.glob(os.path.join(HERE, split, "*.yml"))):
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
        if not isinstance(data, list):
            raise SystemExit(f"{path}: not a YAML list")
        for p in data:
            p["_file"] = os.path.relpath(path, HERE)
            p["_split"] = split
            out.append(p)
    return out


def validate(personas):
    errors = []
    seen = set()
    for p in personas:
        pid = p.get("id", "?")
        w = f"{p['_file']}:{pid}"
        prefix = "dev-" if p["_split"] == "dev" else "chk-"
        if not re.fullmatch(re.escape(prefix) + r"\d{3}", str(pid)):
            errors.append(f"{w}: id must look like {prefix}NNN")
        if pid in seen:
            errors.append(f"{w}: duplicate id")
        seen.add(pid)
        extra = set(p) - PERSONA_KEYS - {"_file", "_split"}
        if extra:
            errors.append(f"{w}: unknown keys {sorted(extra)}")
        for k in ("who", "register", "opening_kind", "opening", "answers", "expected"):
            if k not in p:
                errors.append(f"{w}: missing {k}")
        if p.get("register") not in REGISTERS:
            errors.append(f"{w}: register {p.get('register')!r}")
        ok = p.get("opening_kind") or []
        if not isinstance(ok, list) or any(k not in OPENING_KINDS for k in ok):
            errors.append(f"{w}: opening_kind {ok!r}")
        ans = p.get("answers") or {}
        missing = [f for f in ASKED_FIELDS if f not in ans]
        if missing:
            errors.append(f"{w}: answers missing {missing}")
        unknown = set(ans) - set(ASKED_FIELDS)
        if unknown:
            errors.append(f"{w}: answers unknown keys {sorted(unknown)}")
        for k, v in ans.items():
            if not isinstance(v, str) or not v.strip():
                errors.append(f"{w}: answer {k} must be a non-empty string")
        if p.get("contact_at_once"):
            vals = {ans.get(k) for k in CONTACT}
            if len(vals) != 1:
                errors.append(f"{w}: contact_at_once but contact answers differ")
        texts = [p.get("opening", "")] + [v for v in ans.values() if isinstance(v, str)]
        for s in p.get("script") or []:
            texts.append(s.get("say", ""))
            if s.get("kind") not in SCRIPT_KINDS:
                errors.append(f"{w}: script kind {s.get('kind')!r}")
            if ("at_turn" in s) == ("field" in s):
                errors.append(f"{w}: script event needs exactly one of at_turn / field")
            if "field" in s and s["field"] not in ASKED_FIELDS:
                errors.append(f"{w}: script field {s['field']!r}")
            if not s.get("say"):
                errors.append(f"{w}: script event without say")
        trap = p.get("trap")
        if trap is not None and trap not in TRAPS:
            errors.append(f"{w}: trap {trap!r}")
        for t in texts:
            if WEEKDAYS.search(t):
                errors.append(f"{w}: weekday name in {t!r}")
            if ABS_DATE.search(t) and trap is None:
                errors.append(f"{w}: absolute date in {t!r} without a trap")
        exp = p.get("expected") or {}
        bad = set(exp) - EXPECTED_KEYS
        if bad:
            errors.append(f"{w}: expected unknown keys {sorted(bad)}")
        for k, vals in ENUMS.items():
            if k in exp and exp[k] not in vals + ["inconnu"]:
                errors.append(f"{w}: expected {k}={exp[k]!r}")
        for k, vals in LISTS.items():
            if k in exp:
                if not isinstance(exp[k], list) or any(x not in vals for x in exp[k]):
                    errors.append(f"{w}: expected {k}={exp[k]!r}")
        for k in (
            "structure_name_hint",
            "structure_type",
            "incident_type",
            "detected_at",
            "care_impact",
            "patient_endangerment",
            "health_data_involved",
            "support_requested",
            "declarant_name",
            "declarant_role",
        ):
            if k not in exp:
                errors.append(f"{w}: expected lacks {k}")
        if "declarant_email" not in exp and "declarant_phone" not in exp:
            errors.append(f"{w}: expected needs an e-mail or a phone")
        if "declarant_phone" in exp and not re.fullmatch(r"\+\d{8,15}", str(exp["declarant_phone"])):
            errors.append(f"{w}: phone not E.164: {exp['declarant_phone']!r}")
        if "declarant_email" in exp and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", str(exp["declarant_email"])):
            errors.append(f"{w}: bad e-mail {exp['declarant_email']!r}")
        for k in ("detected_at", "started_at"):
            if k in exp:
                check_date(exp[k], f"{w}: {k}", errors)
        if "detected_at" in exp and "started_at" in exp:
            st, dt = exp["started_at"], exp["detected_at"]
            vague = ("time" in st and st["time"] is None) or ("time" in dt and dt["time"] is None)
            same_day = st.get("days_ago") is not None and st.get("days_ago") == dt.get("days_ago")
            try:
                if not (vague and same_day) and date_minutes_ago(st) < date_minutes_ago(dt):
                    errors.append(f"{w}: started_at after detected_at")
            except Exception:
                pass
        if (
            "persons_affected" in exp
            and exp["persons_affected"] is not None
            and not isinstance(exp["persons_affected"], int)
        ):
            errors.append(f"{w}: persons_affected must be int or null")
        if "finess" in exp and not re.fullmatch(r"[0-9][0-9AB][0-9]{7}", str(exp["finess"])):
            errors.append(f"{w}: bad finess {exp['finess']!r}")
        it, org = exp.get("incident_type"), exp.get("origin")
        if it and it not in MALICIOUS and it != "autre" and org == "malveillante":
            errors.append(f"{w}: non-malicious type with origin malveillante")
        if "complaint_filed" in exp and exp.get("origin") != "malveillante":
            errors.append(f"{w}: complaint_filed expected for a non-malicious incident")
        if exp.get("is_ose") in ("oui", "inconnu") and exp.get("structure_type") not in (
            None,
            "etablissement_sante_public",
        ):
            # guidance.md: the OSE are the GHT support hospitals and the CHU, all public
            errors.append(f"{w}: is_ose={exp['is_ose']!r} for a {exp['structure_type']}: it is non")
        q = exp.get("qualification")
        if q is not None:
            if not isinstance(q, dict) or not set(q) <= {"grave", "significatif"} or not q:
                errors.append(f"{w}: bad qualification {q!r}")
        if trap in TRAPS and "pii_masked" not in exp:
            errors.append(f"{w}: trap without expected.pii_masked")
    return errors


def table(title, counter, splits, keys=None):
    keys = keys or sorted({k for k, _ in counter})
    print(f"\n{title}")
    print(f"  {'value':42} {'dev':>4} {'check':>6} {'total':>6}")
    for k in keys:
        d, c = counter[(k, "dev")], counter[(k, "check")]
        print(f"  {str(k):42} {d:>4} {c:>6} {d + c:>6}")


def main():
    personas = load("dev") + load("check")
    errors = validate(personas)
    for e in errors:
        print("ERROR", e)
    n = collections.Counter(p["_split"] for p in personas)
    print(f"personas: dev={n['dev']} check={n['check']} total={len(personas)}")
    if "--quiet" in sys.argv:
        return 1 if errors else 0
    c_it, c_st, c_reg, c_rgn, c_ok, c_sk, c_trap = (collections.Counter() for _ in range(7))
    with_script = collections.Counter()
    for p in personas:
        s = p["_split"]
        e = p["expected"]
        c_it[(e.get("incident_type"), s)] += 1
        c_st[(e.get("structure_type"), s)] += 1
        c_reg[(p.get("register"), s)] += 1
        c_rgn[(e.get("region", "(unset)"), s)] += 1
        for k in p.get("opening_kind") or []:
            c_ok[(k, s)] += 1
        kinds = {x["kind"] for x in p.get("script") or []}
        for k in kinds:
            c_sk[(k, s)] += 1
        if kinds:
            with_script[s] += 1
        if p.get("trap"):
            c_trap[(p["trap"], s)] += 1
        if p.get("contact_at_once"):
            c_trap[("contact_at_once", s)] += 1
        if "finess" in e:
            c_trap[("finess given", s)] += 1
        if "qualification" in e:
            c_trap[("qualification expected", s)] += 1
    table("incident_type", c_it, None, ENUMS["incident_type"])
    table("structure_type", c_st, None, ENUMS["structure_type"])
    table("region", c_rgn, None, ENUMS["region"] + ["(unset)"])
    table("register", c_reg, None, REGISTERS)
    table("opening_kind", c_ok, None, OPENING_KINDS)
    table("script kind (personas having one)", c_sk, None, SCRIPT_KINDS)
    print(f"\n  personas with a script: dev={with_script['dev']}/{n['dev']} check={with_script['check']}/{n['check']}")
    table("other", c_trap, None)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
