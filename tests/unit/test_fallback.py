"""The "vouliez-vous dire" choices built from the NLU rankings."""

from actions.fallback import suggestions


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
