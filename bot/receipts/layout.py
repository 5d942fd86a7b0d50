"""What a receipt says, computed once for the page, the PDF and the admin
download: the official form's four blocks come from ``bot.admin.display``, so
the receipt and the admin detail page never disagree."""

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Tuple

from bot.admin import display

TITLE = "Déclaration d'incident de sécurité des systèmes d'information"
FOOTER = (
    "Document produit par Vigie, l'assistant de déclaration des incidents de sécurité des systèmes "
    "d'information des structures de santé. La déclaration est adressée à CERT Santé (Agence du "
    "numérique en santé) et à l'agence régionale de santé (ARS)."
)
PRINT_HINT = (
    "Pour garder une trace de votre déclaration, imprimez cette page (menu « Imprimer » de votre "
    "navigateur, ou Ctrl+P) ou téléchargez-la en PDF."
)
VERDICTS = {
    (True, True): "Incident grave et significatif.",
    (True, False): "Incident grave.",
    (False, True): "Incident significatif.",
    (False, False): "Incident ni grave ni significatif, au vu des éléments connus lors de la déclaration.",
}

Rows = List[Tuple[str, str]]


@dataclass(frozen=True)
class Receipt:
    reference: str
    summary: Rows  # submission (and update) date, status, transmission
    blocks: List[Tuple[str, Rows]]  # the official form's four blocks, French labels and values
    verdict: str
    qualification: Rows  # grave, significatif
    reasons: List[str]
    obligations: List[str]
    pii_note: Optional[str]
    produced_on: str
    attachments: List[str] = field(default_factory=list)  # « rancon.png (image PNG, 120 Ko) »
    title: str = TITLE
    footer: str = FOOTER
    print_hint: str = PRINT_HINT


def transmission_text(declaration: Dict[str, Any]) -> str:
    """Where the latest forwarding to CERT Santé and the ARS stands, in one French sentence."""
    transmission = declaration.get("transmission") or {}
    state, complement = transmission.get("state"), transmission.get("kind") == "complement"
    if state == "transmise":
        receipt = transmission.get("receipt")
        return (
            f"{'Complément transmis' if complement else 'Transmise'} à CERT Santé et à l'ARS le "
            f"{display.datetime_fr(transmission.get('transmitted_at'))}"
            + (f" (accusé de réception {receipt})." if receipt else ".")
        )
    if state == "echec":
        return (
            f"Échec de la transmission automatique{' du complément' if complement else ''} : l'équipe qui "
            "exploite Vigie est alertée et la relancera. Si l'incident est majeur, appelez CERT Santé en "
            "donnant cette référence."
        )
    if state == "en_attente":
        return f"Transmission{' du complément' if complement else ''} à CERT Santé et à l'ARS en cours."
    return "Aucune transmission enregistrée."


def pii_note(count: Any) -> Optional[str]:
    if not isinstance(count, int) or isinstance(count, bool) or count <= 0:
        return None
    what = "identifiant de patient a été masqué" if count == 1 else "identifiants de patients ont été masqués"
    return (
        f"{display.number_fr(count)} {what} dans vos textes avant l'enregistrement : la déclaration "
        "ne contient pas ces données."
    )


def _qualification(declaration: Dict[str, Any]) -> Tuple[str, Rows, List[str]]:
    qualification = declaration.get("qualification") or {}
    grave, significatif = bool(qualification.get("grave")), bool(qualification.get("significatif"))
    rows = [("Incident grave", display.yes_no(grave)), ("Incident significatif", display.yes_no(significatif))]
    return VERDICTS[grave, significatif], rows, list(qualification.get("reasons") or [])


def build(declaration: Dict[str, Any], now: Optional[datetime] = None) -> Receipt:
    """The receipt of ``declaration`` (``DeclarationStore.get``), produced at ``now``."""
    verdict, qualification, reasons = _qualification(declaration)
    summary = [("Soumise le", display.field_value("submitted_at", declaration.get("submitted_at")))]
    if declaration.get("updated_at") not in (None, declaration.get("submitted_at")):
        summary.append(("Mise à jour le", display.field_value("updated_at", declaration["updated_at"])))
    summary += [
        ("Statut", display.field_value("status", declaration.get("status"))),
        ("Transmission", transmission_text(declaration)),
    ]
    return Receipt(
        reference=declaration["reference"],
        summary=summary,
        blocks=display.blocks(declaration),
        verdict=verdict,
        qualification=qualification,
        reasons=reasons,
        obligations=display.obligations_fr(declaration),
        pii_note=pii_note(declaration.get("pii_masked")),
        produced_on=display.datetime_fr(now or datetime.now(timezone.utc)),
        attachments=[item["label"] for item in declaration.get("attachments") or []],
    )
