"""The "vouliez-vous dire" choices built from the NLU rankings."""

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionOutOfScopeInForm, suggestions
from actions.understanding import understand


def test_choices_mix_intents_and_questions_best_first():
    message = {
        "intent_ranking": [
            {"name": "faq", "confidence": 0.5},
            {"name": "declare_incident", "confidence": 0.3},
            {"name": "greet", "confidence": 0.1},
        ],
        "response_selector": {
            "faq": {
                "ranking": [
                    {"intent_response_key": "faq/cnil_72h", "confidence": 0.9},
                    {"intent_response_key": "faq/plainte", "confidence": 0.05},
                ]
            }
        },
    }
    assert suggestions(message) == [
        ("La CNIL et les 72 heures", "La CNIL et les 72 heures"),
        ("Déclarer un incident", "/declare_incident"),
        ("Porter plainte", "Porter plainte"),
    ]


def test_no_greeting_or_yes_no_among_the_choices():
    message = {
        "intent_ranking": [
            {"name": "affirm", "confidence": 0.4},
            {"name": "greet", "confidence": 0.3},
            {"name": "help", "confidence": 0.2},
        ]
    }
    assert suggestions(message) == [("Savoir ce que fait Vigie", "/help")]


async def said_out_of_scope(requested, text):
    message = {"text": text, "intent": {"name": "out_of_scope", "confidence": 0.97}, "entities": []}
    tracker = Tracker("t", {"requested_slot": requested}, message, [], False, None, {"name": "completion_form"}, None)
    dispatcher = CollectingDispatcher()
    await ActionOutOfScopeInForm().run(dispatcher, tracker, {})
    return [m.get("response") for m in dispatcher.messages]


MEASURES = "ressaisie manuelle avec double contrôle, urgences priorisées"


async def test_prose_read_as_out_of_scope_answers_the_measures_question_without_a_word():
    assert await said_out_of_scope("measures_taken", MEASURES) == []
    message = {"text": MEASURES, "intent": {"name": "out_of_scope", "confidence": 0.97}, "entities": []}
    assert understand(message, "measures_taken", {}) == {"measures_taken": MEASURES}


@pytest.mark.parametrize(
    "requested, text",
    [("measures_taken", "tu peux me donner la météo de demain ?"), ("structure_match", "mets un réveil à 7h")],
)
async def test_a_request_out_of_scope_is_answered_as_such(requested, text):
    assert await said_out_of_scope(requested, text) == ["utter_out_of_scope"]
