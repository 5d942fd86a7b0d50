"""No user text in the logs: what a library logs is cut before its first quote, lines are never forged."""

import logging

import pytest

from bot import private_logs


@pytest.fixture()
def private():
    before = logging.getLogRecordFactory()
    private_logs.install()
    yield
    logging.setLogRecordFactory(before)
    logging.captureWarnings(False)


def test_a_library_record_loses_the_values_it_quotes(private, caplog):
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("rasa.core.processor").debug("Received user message '%s' with intent", "Jean Dupont")
        logging.getLogger("rasa.core.processor").debug("Current slot values: \n\tstructure_name: CH de Dax")
        logging.getLogger("rasa.core.nlg.interpolator").error(
            "Failed to replace placeholders in response 'Le CH de Vierzon {x}'"
        )
    assert "Dupont" not in caplog.text and "Dax" not in caplog.text and "Vierzon" not in caplog.text
    assert [r.getMessage() for r in caplog.records] == [
        "Received user message […]",
        "Current slot values: […]",
        "Failed to replace placeholders in response […]",
    ]


def test_no_text_can_forge_a_log_line(private, caplog):
    with caplog.at_level(logging.INFO):
        logging.getLogger("vigie.channels").info("sender %s", "x\n2026-12-04 ERROR faux")
    assert caplog.records[0].getMessage() == "sender x\\n2026-12-04 ERROR faux"
    assert "\n" not in caplog.records[0].getMessage()


def test_our_own_records_keep_their_counts_and_types(private, caplog):
    with caplog.at_level(logging.INFO):
        logging.getLogger("bot.forwarding").info("forwarded %d declarations: %s", 3, "ok")
    assert caplog.records[0].getMessage() == "forwarded 3 declarations: ok"


def test_an_exception_message_is_cut_but_its_frames_stay(private, caplog):
    with caplog.at_level(logging.ERROR):
        typed = "Jean Dupont"
        try:
            int(typed)
        except ValueError:
            logging.getLogger("sanic.error").exception("handler failed")
    text = caplog.records[0].exc_text
    assert "Dupont" not in text and "ValueError: invalid literal for int() with base 10: […]" in text
    assert "in test_an_exception_message_is_cut_but_its_frames_stay" in text and "int(typed)" in text


def test_warnings_go_through_the_same_rewriting(private, caplog):
    import warnings

    with caplog.at_level(logging.WARNING), warnings.catch_warnings():
        warnings.simplefilter("always")  # whatever filters other modules set
        warnings.warn("Failed to parse '/restart Jean Dupont'", UserWarning, stacklevel=1)
    assert caplog.records and "Dupont" not in caplog.text
