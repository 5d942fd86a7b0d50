"""Cancel asks first, a cancelled declaration comes back for 30 minutes, and "revenir à la question
précédente" takes the last answer back."""

from datetime import datetime, timedelta, timezone

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import cancelling, going_back
from actions.cancelling import ActionCancelDeclaration, ActionCancelReminder, ActionResumeDeclaration
from actions.fallback import ActionAskAffirmation
from actions.going_back import ActionGoBack
from actions.submission import ActionAffirmOutsideForm, ActionDenyOutsideForm

ANSWERS = {"incident_type": "rancongiciel", "care_impact": "mode_degrade", "requested_slot": "detected_at"}


def tracker(slots, loop=None, intent="cancel"):
    return Tracker(
        "conv-1", slots, {"text": "...", "intent": {"name": intent}}, [], False, None,
        {"name": loop} if loop else {}, "action_listen",
    )  # fmt: skip


async def run(action, slots, loop=None, intent="cancel"):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker(slots, loop, intent), {})
    return events, dispatcher.messages


def set_slots(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def followup(events):
    return next((e["name"] for e in events if e.get("event") == "followup"), None)


async def test_cancel_during_a_declaration_asks_first_and_keeps_every_answer():
    events, said = await run(ActionCancelDeclaration(), ANSWERS, loop="declaration_form")
    assert "Voulez-vous vraiment annuler" in said[0]["text"]
    assert "Vos 2 réponses seraient gardées 30 minutes" in said[0]["text"]
    assert [b["title"] for b in said[0]["buttons"]] == ["Oui, annuler", "Non, continuer"]
    assert {"event": "reset_slots", "timestamp": None} not in events
    assert set_slots(events) == {cancelling.CANCEL_REQUESTED: "declaration_form"}


async def test_after_a_question_answered_meanwhile_the_cancel_question_comes_again():
    paused = {**ANSWERS, cancelling.CANCEL_REQUESTED: "declaration_form"}
    events, said = await run(ActionCancelReminder(), paused, intent="faq")
    assert events == [] and "voulez-vous toujours l'annuler" in said[0]["text"]
    assert [b["payload"] for b in said[0]["buttons"]] == ["/cancel", "/resume_declaration"]
    events, said = await run(ActionCancelReminder(), ANSWERS, intent="faq")
    assert events == [] and said == []  # no cancel question stands: nothing is added


def after(actions, slots):
    """A tracker whose bot ran ``actions`` for the previous message, then a question came."""
    events = [{"event": "user", "text": "..."}] + [{"event": "action", "name": a} for a in actions]
    events += [{"event": "action", "name": "action_listen"}, {"event": "user", "text": "?"}]
    return Tracker("conv-1", slots, {"text": "?", "intent": {"name": "faq"}}, events, False, None, {}, "utter_faq")


async def test_right_after_a_cancel_a_question_brings_the_offer_to_take_it_back():
    copy = cancelling.snapshot(ANSWERS, "declaration_form", datetime.now(timezone.utc))
    dispatcher = CollectingDispatcher()
    await ActionCancelReminder().run(dispatcher, after(["action_cancel_declaration"], {cancelling.CANCELLED: copy}), {})
    assert dispatcher.messages[0]["text"] == cancelling.TAKE_BACK
    assert dispatcher.messages[0]["buttons"] == [cancelling.RESUME_BUTTON]
    later = CollectingDispatcher()  # another exchange came between: no reminder
    await ActionCancelReminder().run(later, after(["utter_faq"], {cancelling.CANCELLED: copy}), {})
    assert later.messages == []


async def test_on_continue_to_the_offer_to_complete_starts_the_completion():
    offer = {"completion_offer": "SSI-2026-000007"}
    events, said = await run(ActionResumeDeclaration(), offer, intent="resume_declaration")
    assert followup(events) == "action_start_completion" and said == []


async def test_one_answer_is_said_in_the_singular():
    _, said = await run(ActionCancelDeclaration(), {"incident_type": "autre"}, loop="declaration_form")
    assert "Votre réponse serait gardée 30 minutes" in said[0]["text"]


async def test_a_second_cancel_cancels_and_keeps_a_copy():
    paused = {**ANSWERS, cancelling.CANCEL_REQUESTED: "declaration_form", "last_reference": "SSI-2026-000001"}
    events, said = await run(ActionCancelDeclaration(), paused)
    assert said[0]["text"].startswith("C'est annulé")
    assert said[0]["buttons"] == [cancelling.RESUME_BUTTON]
    assert {"event": "reset_slots", "timestamp": None} in events
    kept = set_slots(events)
    assert kept["last_reference"] == "SSI-2026-000001"
    copy = kept[cancelling.CANCELLED]
    assert copy["loop"] == "declaration_form" and copy["slots"] == ANSWERS


async def test_oui_to_the_question_cancels_and_non_goes_on():
    paused = {**ANSWERS, cancelling.CANCEL_REQUESTED: "declaration_form"}
    events, _ = await run(ActionAffirmOutsideForm(), paused, intent="affirm")
    assert followup(events) == "action_cancel_declaration"
    events, said = await run(ActionDenyOutsideForm(), paused, intent="deny")
    assert said[0]["text"] == cancelling.GOING_ON and followup(events) == "declaration_form"
    assert set_slots(events)[cancelling.CANCEL_REQUESTED] is None


async def test_an_answer_typed_instead_goes_on_with_the_declaration():
    paused = {**ANSWERS, cancelling.CANCEL_REQUESTED: "declaration_form"}
    events, _ = await run(ActionAskAffirmation(), paused, intent="inform")
    assert followup(events) == "declaration_form"


async def test_cancel_with_nothing_answered_cancels_at_once():
    events, said = await run(ActionCancelDeclaration(), {}, loop="declaration_form")
    assert said[0]["text"].startswith("C'est annulé")


async def test_nothing_to_cancel_outside_a_declaration():
    events, said = await run(ActionCancelDeclaration(), {"last_reference": "SSI-2026-000001"})
    assert said[0]["text"] == cancelling.NOTHING_TO_CANCEL and events == []


async def test_the_cancelled_declaration_comes_back_where_it_was():
    copy = cancelling.snapshot(ANSWERS, "declaration_form", datetime.now(timezone.utc) - timedelta(minutes=29))
    events, said = await run(ActionResumeDeclaration(), {cancelling.CANCELLED: copy}, intent="resume_declaration")
    assert said[0]["text"] == cancelling.RESTORED
    restored = set_slots(events)
    assert {k: restored[k] for k in ANSWERS} == ANSWERS and restored[cancelling.CANCELLED] is None
    assert followup(events) == "declaration_form"


async def test_after_30_minutes_the_cancelled_declaration_is_gone():
    copy = cancelling.snapshot(ANSWERS, "declaration_form", datetime.now(timezone.utc) - timedelta(minutes=31))
    events, said = await run(ActionResumeDeclaration(), {cancelling.CANCELLED: copy}, intent="resume_declaration")
    assert said[0]["text"] == cancelling.TOO_OLD
    assert set_slots(events) == {cancelling.CANCELLED: None} and followup(events) is None


async def test_nothing_to_take_back():
    _, said = await run(ActionResumeDeclaration(), {}, intent="resume_declaration")
    assert said[0]["text"] == cancelling.NOTHING_TO_RESTORE


# --- revenir à la question précédente ---------------------------------------------------


def test_an_answer_is_pushed_with_the_values_it_replaced():
    before = {"care_impact": None, "requested_slot": "care_impact"}
    after = {"care_impact": "mode_degrade", "patient_endangerment": "potentielle"}
    [event] = going_back.pushed("care_impact", before, after)
    assert event["value"] == [{"asked": "care_impact", "slots": {"care_impact": None, "patient_endangerment": None}}]


def test_the_opening_and_a_miss_are_not_answers_to_take_back():
    assert going_back.pushed(None, {}, {"incident_type": "rancongiciel"}) == []
    assert going_back.pushed("care_impact", {"care_impact": None}, {"care_impact": None}) == []


async def test_going_back_restores_the_values_and_asks_that_question_again():
    stack = [
        {"asked": "detected_at", "slots": {"detected_at": None}},
        {"asked": "care_impact", "slots": {"care_impact": None, "patient_endangerment": None}},
    ]
    slots = {"care_impact": "mode_degrade", "patient_endangerment": "potentielle", going_back.UNDO: stack}
    events, said = await run(ActionGoBack(), slots, loop="declaration_form", intent="go_back")
    assert said[0]["text"] == going_back.GONE_BACK
    state = set_slots(events)
    assert state["care_impact"] is None and state["patient_endangerment"] is None
    assert state["requested_slot"] == "care_impact" and state[going_back.UNDO] == stack[:1]


async def test_going_back_with_nothing_answered_says_so():
    events, said = await run(ActionGoBack(), {}, loop="declaration_form", intent="go_back")
    assert said[0]["text"] == going_back.NOTHING_BEFORE and events == []
    _, said = await run(ActionGoBack(), {}, intent="go_back")
    assert said[0]["text"] == going_back.NO_QUESTION
