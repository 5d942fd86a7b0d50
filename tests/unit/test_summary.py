"""What the declarant reads in the summary: technical terms come with plain words, and the files
joined in the conversation are listed."""

import pytest

from actions import submission
from actions.submission import joined_files
from actions.summary import format_value, render_summary
from bot.core.french import lower_first
from bot.core.storage import DeclarationStore


def test_technical_values_are_explained_where_they_are_shown():
    assert format_value("data_impact", ["integrite", "confidentialite"]) == (
        "Intégrité (données modifiées, chiffrées ou effacées), Confidentialité (données vues ou copiées par des tiers)"
    )
    assert format_value("care_impact", "mode_degrade") == "Mode dégradé (procédures papier ou de secours)"
    assert format_value("patient_endangerment", "averee") == "Avérée (un patient a subi un dommage)"


def test_plain_values_are_shown_as_they_are():
    assert format_value("care_impact", "aucun") == "Aucun"
    assert format_value("data_impact", []) == "aucun"


def test_a_label_inside_a_sentence_keeps_its_acronyms():
    assert lower_first("État de la prise en charge") == "état de la prise en charge"
    assert lower_first("API REST") == "API REST" and lower_first("OSE") == "OSE"


def test_the_summary_lists_the_files_joined_in_the_conversation(chat_files):
    store, conversation = chat_files
    store.attachments().add(conversation, "note-de-rancon.png", b"\x89PNG\r\n\x1a\n" + bytes(64))
    labels = joined_files(conversation)
    text = render_summary({"structure_name": "CH de Vierzon"}, {"grave": True, "reasons": []}, labels)
    assert "Pièces jointes\n- note-de-rancon.png (image PNG, 72 octets)" in text
    assert "Pièces jointes" not in render_summary({"structure_name": "CH de Vierzon"}, {"grave": True, "reasons": []})


@pytest.fixture
def chat_files(store, monkeypatch, tmp_path):  # noqa: F811
    monkeypatch.setenv("VIGIE_ATTACHMENTS_DIR", str(tmp_path / "pieces"))
    monkeypatch.setattr(submission, "store", lambda: store)
    return store, "0123456789abcdef0123456789abcdef"


def test_the_summary_is_shown_without_the_files_when_the_database_is_down(monkeypatch, tmp_path, caplog):
    unreachable = DeclarationStore(f"sqlite:///{tmp_path / 'absent' / 'vigie.db'}")  # no folder: no database
    monkeypatch.setattr(submission, "store", lambda: unreachable)
    assert joined_files("0123456789abcdef0123456789abcdef") == []
    assert "joined files not listed in the summary: OperationalError" in caplog.text


def test_a_date_said_without_its_hour_is_shown_without_one():
    assert format_value("started_at", "2026-12-05T00:00:00+01:00") == "samedi 5 décembre 2026, heure non précisée"
    assert format_value("started_at", "2026-12-05T06:00:00+01:00") == "samedi 5 décembre 2026 à 6 h 00"
