"""domain.yml against the field registry (bot/core/fields.py): any drift fails here.

Adding a field to the registry without its slot, question, explanation or ask
action in domain.yml (or leaving one behind after removing a field) is named
in the failure message.
"""

import json
import re
from pathlib import Path

import pytest
import yaml
from rasa_sdk.executor import ActionExecutor

from actions import completion, declaration_form, structure
from bot.core import fields as registry

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
FORM_ONLY_SLOTS = {"confirmed"}
PAYLOAD = re.compile(r"^/\w+(\{.*\})$")


def _required(form: str) -> list:
    return DOMAIN["forms"][form]["required_slots"]


def test_every_field_has_a_slot_filled_by_our_actions_only():
    slots = DOMAIN["slots"]
    missing = [f.name for f in registry.REGISTRY if f.name not in slots]
    assert not missing, f"slots to add to domain.yml: {missing}"
    for entry in registry.REGISTRY:
        slot = slots[entry.name]
        assert slot["mappings"] == [{"type": "custom"}], f"{entry.name}: filled by the form's validation action only"
        assert slot.get("influence_conversation") is False, entry.name


def test_the_declaration_form_lists_exactly_the_questions_it_may_ask():
    slots = {"structure_type": None, "origin": "malveillante", "health_data_involved": "oui"}
    assert _required("declaration_form") == declaration_form.fields_to_ask({**slots, structure.CANDIDATES: ["x"]})


def test_the_completion_form_lists_exactly_the_completable_fields():
    assert _required("completion_form") == registry.completable() + ["confirmed"]


def test_the_seriousness_form_asks_registry_fields():
    assert _required("seriousness_form") == declaration_form.SERIOUSNESS_FIELDS
    assert set(declaration_form.SERIOUSNESS_FIELDS) <= set(registry.BY_NAME)


def test_every_question_has_its_response_and_its_ask_action():
    responses, actions = DOMAIN["responses"], set(DOMAIN["actions"])
    for name in declaration_form.ASKED_FIELDS + completion.COMPLETABLE:
        entry = registry.field(name)
        assert entry.ask_response in responses, f"response {entry.ask_response} missing in domain.yml"
    for field_name in declaration_form.ASKED_FIELDS:
        assert f"action_ask_{field_name}" in actions, f"action_ask_{field_name} missing in domain.yml's actions"
    for field_name in completion.COMPLETABLE:
        assert f"action_ask_completion_form_{field_name}" in actions


def test_no_ask_action_is_left_in_the_domain_without_its_class():
    """Each action_ask_* of domain.yml is one the action server registers (as it does at start)."""
    executor = ActionExecutor()
    executor.register_package("actions")
    implemented = set(executor.actions)
    declared = {a for a in DOMAIN["actions"] if a.startswith("action_ask_")}
    assert declared - implemented == set(), "actions in domain.yml that no class implements"
    generated = {cls().name() for cls in declaration_form.ASK_ACTIONS + completion.ASK_ACTIONS}
    assert generated <= set(DOMAIN["actions"]), "ask actions missing from domain.yml"


def test_explanations_exist_exactly_for_the_explained_fields():
    responses = DOMAIN["responses"]
    for entry in registry.REGISTRY:
        has = f"utter_explain_{entry.name}" in responses
        assert has == entry.explained, f"{entry.name}: explained={entry.explained} but utter_explain_ in domain: {has}"
    assert "utter_explain_generic" in responses


@pytest.mark.parametrize("response", sorted(r for r in DOMAIN["responses"] if r.startswith("utter_ask_")))
def test_question_buttons_carry_registry_values(response):
    """A button of a question sends an allowed value of a registry field (a click is never refused)."""
    for variant in DOMAIN["responses"][response]:
        for button in variant.get("buttons", []):
            match = PAYLOAD.match(button["payload"])
            if not match:
                continue
            for name, value in json.loads(match.group(1)).items():
                if name not in registry.BY_NAME:
                    continue
                allowed = registry.field(name).values
                values = value if isinstance(value, list) else [value]
                assert all(v in allowed for v in values), f"{response}: {button} is not a value of {name}"


@pytest.mark.parametrize("response", sorted(r for r in DOMAIN["responses"] if r.startswith("utter_ask_")))
def test_no_question_offers_the_same_button_twice(response):
    for variant in DOMAIN["responses"][response]:
        titles = [button["title"] for button in variant.get("buttons", [])]
        payloads = [button["payload"] for button in variant.get("buttons", [])]
        assert len(set(titles)) == len(titles) and len(set(payloads)) == len(payloads), f"{response}: {titles}"


def test_registry_choices_are_the_spec_strings():
    """Enum members are str: JSON, SQL and comparisons see the spec's strings."""
    assert json.dumps(registry.IncidentType.RANCONGICIEL) == '"rancongiciel"'
    assert registry.IncidentType.RANCONGICIEL == "rancongiciel"
    assert registry.IncidentType("fuite_donnees").origin is registry.Origin.MALVEILLANTE
    for entry in registry.REGISTRY:
        if entry.kind in (registry.Kind.CHOICE, registry.Kind.CHOICES):
            assert entry.choices is not None and entry.values, entry.name
            assert all(re.fullmatch(r"[A-Za-zé ]+|[a-z_]+", v) for v in entry.values), entry.name
        else:
            assert entry.choices is None, entry.name


def test_ranks_are_unique():
    for attribute in ("ask_rank", "completion_rank", "seriousness_rank"):
        ranks = [getattr(f, attribute) for f in registry.REGISTRY if getattr(f, attribute) is not None]
        assert len(ranks) == len(set(ranks)), attribute
    for block, names in registry.summary_blocks():
        ranks = [registry.field(n).summary_rank for n in names]
        assert len(ranks) == len(set(ranks)), block
