"""What reaches Rasa from a channel: the text cleaner, the REST body parser,
the Rasa token wrapper."""

import json
import re
from pathlib import Path

import pytest

from bot.channels.rest import BadRequest, parse_body
from bot.channels.user_text import MAX_MESSAGE_LENGTH, UnusableText, at_the_door, clean_user_text
from bot.rasa_server import with_token


@pytest.mark.parametrize(
    "text",
    [
        "/affirm",
        "/deny",
        "/cancel",
        "/dont_know",
        "/declare_incident",
        "/check_seriousness",
        "/help",
        '/inform{"care_impact": "aucun"}',
        '/inform{"incident_type": "rancongiciel"}',
        '/inform{"structure_match": "400000105"}',
        '/inform{"structure_match": "2A0000022"}',
        '/inform{"structure_match": "aucune"}',
    ],
)
def test_the_payloads_our_buttons_send_pass(text):
    assert clean_user_text(text) == text


def payloads_in(path):
    return re.findall(r"""["']?payload["']?: ?["'](/[a-z_]+)["']""", path.read_text(encoding="utf-8"))


def test_every_intent_payload_of_our_buttons_and_pages_passes():
    root = Path(__file__).resolve().parents[2]
    sources = [*root.glob("actions/*.py"), root / "domain.yml", root / "bot/web/static/widget.js"]
    payloads = {payload for path in sources for payload in payloads_in(path)}
    assert {"/complete_declaration", "/goodbye", "/resume_declaration", "/cancel"} <= payloads
    assert [p for p in sorted(payloads) if clean_user_text(p) != p] == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("/restart", "restart"),
        ("/back", "back"),
        ("/session_start", "session_start"),
        ("//affirm", "affirm"),
        ("/faq", "faq"),
        ('/inform{"confirmed": true}', 'inform{"confirmed": true}'),
        ('/inform{"finess": "750000001"}', 'inform{"finess": "750000001"}'),
        ('/inform{"care_impact": "catastrophe"}', 'inform{"care_impact": "catastrophe"}'),
        ('/inform{"care_impact": ["aucun"]}', 'inform{"care_impact": ["aucun"]}'),
        ('/inform{"structure_match": "CH de Dax"}', 'inform{"structure_match": "CH de Dax"}'),
        ("/affirm{", "affirm{"),
        ("/", "?"),
    ],
)
def test_other_slash_commands_are_read_as_text(text, expected):
    assert clean_user_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "/\n/restart",
        "/\t/restart",
        "/\u00a0/restart",
        "/\u2028/restart",
        "/\u200b/restart",
        "\u200b/restart",
        " \n /back",
        "／restart",
        "/\r\n/session_start",
        '/ /inform{"confirmed": true}',
    ],
)
def test_no_whitespace_or_invisible_character_hides_a_command(text):
    cleaned = clean_user_text(text)
    assert not cleaned.startswith("/") and cleaned.strip() == cleaned


def test_control_characters_and_whitespace_runs_become_one_space_and_text_is_normalised():
    assert clean_user_text("ran\x00çon\x1b sur\tle\nDPI") == "ran çon sur le DPI"
    assert clean_user_text("ligne 1\n2026-12-04 ERROR faux") == "ligne 1 2026-12-04 ERROR faux"
    assert clean_user_text("e\u0301") == "é"
    assert clean_user_text("مرحبا 🔥") == "مرحبا 🔥"


@pytest.mark.parametrize("text", ["", "   ", "\x00\x00", None, 42, ["oui"], {"text": "oui"}])
def test_empty_or_non_text_is_refused_in_french(text):
    with pytest.raises(UnusableText):
        clean_user_text(text)


def test_an_overlong_message_is_refused_with_its_length():
    with pytest.raises(UnusableText, match="200 000 caractères"):
        clean_user_text("a" * 200_000)
    assert len(clean_user_text("a" * MAX_MESSAGE_LENGTH)) == MAX_MESSAGE_LENGTH


def body(**fields):
    return json.dumps(fields).encode()


def test_a_valid_body_is_returned():
    assert parse_body(body(sender="abc-1", message="bonjour")) == {"sender": "abc-1", "message": "bonjour"}


@pytest.mark.parametrize(
    "raw, status",
    [
        (b"", 400),
        (b"not json", 400),
        (b"[1, 2]", 400),
        (b'"text"', 400),
        (b"\xff\xfe{}", 400),
        (body(message="sans sender"), 400),
        (body(sender="", message="x"), 400),
        (body(sender=["a"], message="x"), 400),
        (body(sender="a b", message="x"), 400),
        (body(sender="x" * 129, message="x"), 400),
        (body(sender="a\x00", message="x"), 400),
        (body(sender="ok"), 400),
        (body(sender="moi\n", message="x"), 400),  # was a new conversation beside "moi"
        (b'{"sender": "moi", "message": ' + b"[" * 20_000 + b"]" * 20_000 + b"}", 400),  # was a 500
        (b"{" + b" " * 70_000 + b"}", 413),
    ],
)
def test_malformed_bodies_are_refused(raw, status):
    with pytest.raises(BadRequest) as refused:
        parse_body(raw)
    assert refused.value.status == status


def test_the_rasa_token_comes_from_the_environment():
    argv = ["rasa", "run", "--enable-api"]
    assert with_token(argv, {"VIGIE_RASA_TOKEN": "t0k"}) == argv + ["--auth-token=t0k"]
    assert with_token(["rasa", "train"], {}) == ["rasa", "train"]
    with pytest.raises(SystemExit, match="VIGIE_RASA_TOKEN"):
        with_token(argv, {})


def test_patient_identifiers_are_masked_at_the_door():
    door = at_the_door("le dossier du patient Jean Dupont, NIR 1 85 05 78 006 084 99, a été consulté")
    assert "Dupont" not in door.text and "084" not in door.text
    assert door.masked == 2 and "[NIR masqué]" in door.text


def test_a_labelled_nir_with_a_wrong_key_is_masked_all_the_same():
    door = at_the_door("n° de sécu du patient : 185057800608400")
    assert "185057800608400" not in door.text and door.masked == 1


def test_staff_names_and_button_payloads_go_through_unchanged():
    contact = "Marie Dupont, RSSI, marie.dupont@exemple.fr"
    assert at_the_door(contact) == (contact, 0)
    assert at_the_door('/inform{"structure_match": "400000105"}').masked == 0
