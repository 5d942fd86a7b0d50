"""docs/benchmarks.md from bench/results/*.json: every figure comes from those files."""

import json
from pathlib import Path
from typing import Dict, Iterable, List, Optional

from bench import targets
from bench.common import REPORT_FILE, RESULTS_DIR, read_results, server_cpu_s
from bench.scoring import FIELDS

Results = Dict[str, dict]


# --- Formatting --------------------------------------------------------------------


def table(headers: List[str], rows: Iterable[Iterable[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join("-" if c is None else str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def pct(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.1%}"


def ms(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"


def mb(value: Optional[float]) -> str:
    return "-" if value is None else f"{value / 1e6:.0f} MB"


def num(value: Optional[float], unit: str = "") -> str:
    return "-" if value is None else f"{value:g}{unit}"


def _get(data, *keys):
    return targets._get(data, *keys)


# --- Sections --------------------------------------------------------------------------


def header(results: Results) -> str:
    smoke = sorted(name for name, r in results.items() if r.get("smoke"))
    lines = ["# Benchmarks", ""]
    if smoke:
        lines += [
            f"> **SMOKE RUN** ({', '.join(smoke)}): tiny inputs to check the harness, not a measurement. "
            "The figures below say nothing about Vigie; run `make bench` for the real ones.",
            "",
        ]
    lines += [
        "Written by `make bench` (`python -m bench`) from `bench/results/*.json`, which hold the raw "
        "figures. Each comparison is measured in one run, on one machine, one after the other: "
        "medians and ratios, since the machine is shared.",
        "",
    ]
    return "\n".join(lines)


def machine_section(results: Results) -> str:
    first = next(iter(results.values()))["machine"]
    rows = [
        ("CPU", f"{first['cpu_model']}, {first['cpu_count']} logical CPUs ({first['cpus_usable']} usable)"),
        ("RAM", f"{first['ram_bytes'] / 2**30:.1f} GiB" if first.get("ram_bytes") else "-"),
        ("Kernel", f"{first.get('kernel')} (of the first run below)"),
        ("Python", first["python"]),
        ("Rasa", first["rasa"]),
    ]
    runs = [
        (
            name,
            r["started_at"],
            r.get("duration_s"),
            r["machine"].get("kernel") or "-",
            " / ".join(f"{x:.2f}" for x in r["machine"]["load_average"]),
        )
        for name, r in results.items()
    ]
    return "\n".join(
        [
            "## Machine",
            "",
            table(["", ""], rows),
            "",
            "Runs (the machine's kernel tells one machine from another: figures of two kernels do not compare; "
            "load average 1/5/15 min at start):",
            "",
            table(
                ["benchmark", "started", "duration", "kernel", "load average"],
                [(n, s, num(d, " s"), k, la) for n, s, d, k, la in runs],
            ),
            "",
        ]
    )


def targets_section(results: Results) -> str:
    checks = targets.evaluate(results)
    smoke = " (smoke run)" if any(r.get("smoke") for r in results.values()) else ""
    rows = [(t["target"], t["measured"], f"**{t['status']}**{smoke}", t["margin"]) for t in checks]
    notes = [
        note
        for check in checks
        if check["status"] == "miss" and check["check"] in MISS_NOTES
        for note in [MISS_NOTES[check["check"]](results)]
        if note
    ]
    lines = ["## Targets (2-core machine)", "", table(["target", "measured", "result", "margin"], rows), ""]
    if notes:
        lines += ["What the misses come from (measured in the sections below):", ""]
        lines += [f"- {note}" for note in notes] + [""]
    return "\n".join(lines)


# --- What a missed target comes from, in the measured figures --------------------------


def _fields_note(results: Results) -> str:
    fields = _get(results, "understanding", "opening", "pipelines", "vigie", "readings", "understand", "per_field")
    worst = sorted(fields.items(), key=lambda kv: kv[1]["accuracy"] or 0)[:3]
    return (
        "Field accuracy: the weakest fields are "
        + ", ".join(
            f"{f} ({pct(v['accuracy'])}: {v['fp']} wrong or unwarranted values, {v['fn']} missed)" for f, v in worst
        )
        + "; each mismatch is listed in bench/results/understanding.json."
    )


def _ood_note(results: Results) -> str:
    ood = _get(results, "understanding", "opening", "pipelines", "vigie", "out_of_domain")
    topics = ", ".join(sorted({s["topic"] for s in ood["started"]}))
    return (
        f"Out of domain: declarations started on the topics {topics} (intents: "
        + ", ".join(f"{k} {v}" for k, v in ood["intents"].items())
        + ")."
    )


def _rich_note(results: Results) -> str:
    c = results["conversation"]
    worst = max(
        (r for k, r in c["scenarios"].items() if k in c["rich_subset"] and r["count"] is not None),
        key=lambda r: r["count"],
        default=None,
    )
    return f"Rich opening: the worst one still asked {', '.join(worst['questions'])}." if worst else ""


def _latency_note(results: Results) -> str:
    lat = results["latency"]
    run = lat["paced"][targets.P95_USERS]["vigie"]
    cpu = sorted(((k, v) for k, v in run["cpu_s"].items()), key=lambda kv: -kv[1])
    per_turn = ", ".join(f"{k.split(' [')[0]} {ms(v / run['turns'] * 1000)}" for k, v in cpu if run["turns"])
    nlu = _get(lat, "nlu_alone", "vigie", "latency", "p50_ms")
    top = _get(results, "profile", "components")
    heaviest = f"; the costliest NLU component in process: {top[0]['function']}" if top else ""
    runs = _get(results, "replicas", "configurations") or {}
    p95s = ", ".join(f"{ms(r['latency_median_of_rounds']['p95_ms'])} ({label})" for label, r in runs.items())
    replicas = (
        f"; in one run of the same load, p95 {p95s} (section Development and production profiles)" if runs else ""
    )
    return (
        f"Latency: CPU per turn at {targets.P95_USERS} users, by process: {per_turn} (2 CPUs for all); "
        f"the NLU alone takes p50 {ms(nlu)} per message{heaviest}{replicas}."
    )


def _first_answer_note(results: Results) -> str:
    f = results["footprint"]
    load = _get(results, "profile", "model_load_s")
    return (
        f"Start-up: bot/cli.py starts every process at once, so the slowest one, Rasa loading its model, "
        f"sets the pace; ready after {num(f['median_ready_s'], ' s')}"
        + (f"; loading the model alone takes {num(load, ' s')} in process" if load else "")
        + "."
    )


def _memory_note(results: Results) -> str:
    largest = targets.largest_process(results)
    rss = _get(results, "profile", "rss_bytes")
    split = (
        (
            f"; in process, importing Rasa and TensorFlow takes {mb(rss['after_import_rasa'] - rss['start'])} "
            f"and loading the model {mb(rss['after_loading_model'] - rss['after_import_rasa'])}"
        )
        if rss
        else ""
    )
    return f"Memory: the largest is {largest['process']} ({mb(largest['rss_bytes'])}){split}."


def _production_note(results: Results) -> str:
    configurations = _get(results, "replicas", "configurations") or {}
    cpu = ", ".join(f"{ms(r.get('server_cpu_ms_per_turn'))} ({label})" for label, r in configurations.items())
    return (
        f"Production latency: server CPU per turn, every process of the set-up together: {cpu}; "
        "each Rasa process handles its turns on one core (section Development and production profiles)."
    )


MISS_NOTES = {
    "field_accuracy": _fields_note,
    "out_of_domain": _ood_note,
    "rich_opening": _rich_note,
    "latency_p95": _latency_note,
    "first_answer": _first_answer_note,
    "memory": _memory_note,
    "production_latency": _production_note,
}


def understanding_section(results: Results) -> str:
    u = results.get("understanding")
    if not u:
        return "## Understanding\n\nNot run.\n"
    return "\n".join(
        [
            "## Understanding",
            "",
            opening_fields(u.get("opening")),
            heldout(u.get("heldout")),
            out_of_domain(u.get("opening")),
        ]
    )


def opening_fields(opening: Optional[dict]) -> str:
    if not opening:
        return "### Fields read from the opening message\n\nNot run.\n"
    p = opening["pipelines"]
    ours = _get(p, "vigie", "readings", "understand")
    raw = _get(p, "vigie", "readings", "entities")
    theirs = _get(p, "default", "readings", "entities")
    rows = []
    for field in FIELDS + ("overall",):
        pick = (lambda r: r["overall"]) if field == "overall" else (lambda r, f=field: r["per_field"][f])
        a, b, c = pick(ours), pick(raw), pick(theirs)
        rows.append(
            (
                f"**{field}**" if field == "overall" else field,
                a["annotated"],
                pct(a["accuracy"]),
                pct(a["accuracy_annotated"]),
                num(a["f1"]),
                pct(b["accuracy"]),
                pct(c["accuracy"]),
                pct(c["accuracy_annotated"]),
                num(c["f1"]),
            )
        )
    intents = lambda name: ", ".join(f"{k} {v}" for k, v in p[name]["opening_intents"].items())  # noqa: E731
    return "\n".join(
        [
            "### Fields read from the opening message alone "
            f"(tests/data/incidents.yml, {opening['messages']} messages)",
            "",
            table(
                [
                    "field",
                    "annotated",
                    "Vigie accuracy",
                    "Vigie acc. on annotated",
                    "Vigie F1",
                    "Vigie entities only, accuracy",
                    "default accuracy",
                    "default acc. on annotated",
                    "default F1",
                ],
                rows,
            ),
            "",
            "Accuracy: share of (message, field) cells where the reading equals the annotation, an absent field "
            "included (the annotation omits what the text does not support: filling it is an error). "
            "*On annotated*: the same on the cells the annotation fills. Lists (affected_systems): exact set match; "
            "F1: micro-F1 of (field, value) pairs, one pair per list value. Dates: an annotation with an hour must "
            "match to the minute, a date-only annotation on the day; Vigie's dates are resolved against the file's "
            f"`now` ({opening['reference_time']}).",
            "",
            "*Vigie*: the trained model (models/vigie.tar.gz) through a running Rasa's `/model/parse`, then "
            "`actions/understanding.py`'s `understand()` (what the declaration holds after the first message, with "
            "its inferences). *Vigie entities only*: the same entities without `understand()`. *Default*: the "
            "`rasa init` pipeline (bench/configs/default.yml) trained on the same data whose entities are **silver "
            f"labels** ({opening['silver_entities_in_training']} entities put by our rule-based extractors on "
            "data/nlu and data/faq.yml, in a temporary directory); it has no `understand()`, so its entities are "
            "scored directly, and it has no date resolver: its `detected_at` is the words, never an ISO date. "
            f"Training it took {num(opening['default_training_s'], ' s')} (`rasa train`, with Vigie's policies"
            + (
                f"; {opening['default_epochs']} epochs for each of its components instead of rasa init's 100, to fit "
                "the run in its time"
                if opening.get("default_epochs")
                else ""
            )
            + ").",
            "",
            f"Intents given to the opening messages: Vigie {intents('vigie')}; default {intents('default')}.",
            "",
        ]
    )


def heldout(h: Optional[dict]) -> str:
    if not h:
        return "### Intents and entities on held-out data\n\nNot run.\n"
    p = h["pipelines"]
    rows = [
        (
            title,
            n,
            pct(_get(p, "vigie", "intents", title, "accuracy")),
            num(_get(p, "vigie", "intents", title, "macro_f1")),
            pct(_get(p, "default", "intents", title, "accuracy")),
            num(_get(p, "default", "intents", title, "macro_f1")),
        )
        for title, n in h["sets"].items()
    ]
    ours, theirs = p["vigie"]["entities_vs_silver"]["micro"], p["default"]["entities_vs_silver"]["micro"]
    return "\n".join(
        [
            "### Intents and entities on held-out data",
            "",
            f"Both pipelines trained (`rasa train nlu`) on bot/nlu_report.py's 80 % split "
            f"({h['training_examples']} examples; same split, same seed), scored on the 20 % and on the paraphrases "
            "of tests/nlu/*.yml that are never trained on.",
            "",
            table(
                ["set", "messages", "Vigie accuracy", "Vigie macro F1", "default accuracy", "default macro F1"], rows
            ),
            "",
            f"Entities on the held-out 20 %, against the silver labels of our extractors (micro-F1 of (entity, "
            f"value) pairs; dates by their words): Vigie {num(ours['f1'])} (its entities *are* those extractors, so "
            f"this is 1 by construction), default {num(theirs['f1'])} (precision {pct(theirs['precision'])}, "
            f"recall {pct(theirs['recall'])}).",
            "",
            f"Training on the 80 %: Vigie {num(p['vigie']['training_s'], ' s')}, default "
            f"{num(p['default']['training_s'], ' s')}"
            + (f" (epochs forced to {h['epochs_override']})" if h.get("epochs_override") else "")
            + (f" (default pipeline: {h['default_epochs']} epochs instead of 100)" if h.get("default_epochs") else "")
            + ".",
            "",
        ]
    )


def out_of_domain(opening: Optional[dict]) -> str:
    if not opening:
        return "### Out-of-domain sentences\n\nNot run.\n"
    p = opening["pipelines"]
    rows = [
        (name, o["sentences"], o["declarations_started"], pct(o["rejected_share"]))
        for name, o in ((n, p[n]["out_of_domain"]) for n in ("vigie", "default"))
    ]
    started = "; ".join(f"« {s['text']} » ({s['loop']})" for s in p["vigie"]["out_of_domain"]["started"][:15])
    return "\n".join(
        [
            "### Out-of-domain sentences",
            "",
            "tests/data/out_of_domain.yml: unrelated French sentences (alarms, music, weather, travel, bookings, "
            "recipes, sport, shopping, small talk, personal IT...), written apart from the training data. One fresh "
            "conversation per sentence through the REST channel; a declaration is started when the tracker's active "
            "loop is then `declaration_form` or `seriousness_form`. The default pipeline runs in the same Vigie "
            "(same domain, rules and action server), only its model changes.",
            "",
            table(["pipeline", "sentences", "declarations started", "no declaration"], rows),
            "",
            f"Sentences that started one with Vigie: {started or 'none'}.",
            "",
        ]
    )


def conversation_section(results: Results) -> str:
    c = results.get("conversation")
    if not c:
        return "## Conversation cost\n\nNot run.\n"
    rows = [
        (
            name,
            r["count"],
            ", ".join(r["questions"] or []) if r["questions"] is not None else r["failure"],
            "yes" if r["reference"] else "no",
        )
        for name, r in c["scenarios"].items()
    ]
    s, rich = c["summary"]["scenarios_md"], c["summary"]["rich"]
    at_once = c["summary"].get("rich_contact_at_once")
    at_once_row = (
        [
            (
                "rich openings, name, e-mail and telephone in one answer",
                at_once["scenarios"],
                at_once["completed"],
                num(at_once["median_questions"]),
                num(at_once["max_questions"]),
                pct(at_once["median_share_of_form"]),
            )
        ]
        if at_once
        else []
    )
    return "\n".join(
        [
            "## Conversation cost",
            "",
            "A simulated declarant (tests/support/declarant.py's `converse`, with test_scenarios.py's answers) answers "
            "every question Vigie asks (its `requested_slot`) until it gets the reference. A question is one "
            "answered `requested_slot`, the final confirmation included. The full form has "
            f"**{c['form_required_slots']} askable slots** (domain.yml's `declaration_form` `required_slots`, "
            "the confirmation included).",
            "",
            table(["scenario", "questions", "asked", "declared"], rows),
            "",
            table(
                ["subset", "scenarios", "completed", "median questions", "worst", "median / form"],
                [
                    (
                        "scenarios.md",
                        s["scenarios"],
                        s["completed"],
                        num(s["median_questions"]),
                        num(s["max_questions"]),
                        pct(s["median_share_of_form"]),
                    ),
                    (
                        f"rich openings ({', '.join(c['rich_subset'])})",
                        rich["scenarios"],
                        rich["completed"],
                        num(rich["median_questions"]),
                        num(rich["max_questions"]),
                        pct(rich["median_share_of_form"]),
                    ),
                ]
                + at_once_row,
            ),
            "",
            "Rich openings say what happened, when, where (the structure's name) and the effect on care; they "
            "were chosen from the texts. The name question invites the e-mail and the telephone in the same message; "
            "the last row is a declarant who takes up the offer (the target is measured without it). Relative "
            'times in the persona ("ce matin vers 7h") depend on the time of day of the run.',
            "",
        ]
    )


def latency_section(results: Results) -> str:
    lat = results.get("latency")
    if not lat:
        return "## Speed\n\nNot run.\n"
    rows = [
        (users, target, *paced_cells(r)) for users, by_target in lat["paced"].items() for target, r in by_target.items()
    ]
    ratios = "; ".join(
        f"{u} users: {num(r['vigie_over_rasa_init'], '×')} rasa init, {num(r['vigie_over_noop'], '×')} no-op"
        for u, r in lat["ratios_p95"].items()
    )
    nlu = "; ".join(
        f"{name} p50 {ms(n['latency']['p50_ms'])}, p95 {ms(n['latency']['p95_ms'])}"
        for name, n in lat["nlu_alone"].items()
    )
    s = lat["settings"]
    return "\n".join(
        [
            "## Speed",
            "",
            "### Per-turn latency, paced users",
            "",
            f"Each user sends one message every {s['pace_s']:g} s (±{s['jitter']:.0%} jitter), first message at a "
            "random offset, and reads the tracker after each reply (untimed). Vigie's users declare the scenarios "
            "(openings of scenarios.md and the rich opening, persona answers, one sender per conversation); the "
            "references' users replay what Vigie's users sent. Latency: the POST to `/webhooks/rest/webhook` until "
            "its whole reply, with aiohttp, on loopback. Vigie runs as `make run` does (development profile: "
            "conversations in memory, SQLite declarations).",
            "",
            table(["users", "target", *PACED_HEADERS], rows),
            "",
            f"p95 ratios, Vigie over the references: {ratios}.",
            "",
            f"NLU alone (`/model/parse`, the same messages one at a time): {nlu}.",
            "",
            throughput(lat["throughput"], s),
            long_conversation(lat["long_conversation"]),
            memory_table("Memory after the load", [(t, m) for t, ms_ in lat["memory_after_load"].items() for m in ms_]),
        ]
    )


PACED_HEADERS = ["turns", "errors", "p50", "p95", "p99", "turns/s", "server CPU per turn"]


def paced_cells(r: dict) -> tuple:
    per_turn = ms(server_cpu_s(r["cpu_s"]) / r["turns"] * 1000) if r["turns"] else "-"
    return (
        r["turns"],
        r["errors"],
        ms(r["latency"]["p50_ms"]),
        ms(r["latency"]["p95_ms"]),
        ms(r["latency"]["p99_ms"]),
        num(r["turns_per_s"]),
        per_turn,
    )


def replicas_section(results: Results) -> str:
    r = results.get("replicas")
    if not r:
        return "### Development and production profiles, Rasa replicas\n\nNot run.\n"
    s = r["settings"]
    rows = [
        (
            label,
            len(c["rounds"]),
            c["turns"],
            c["errors"],
            *(ms(c["latency_median_of_rounds"][k]) for k in ("p50_ms", "p95_ms", "p99_ms")),
            " / ".join(ms(run["latency"]["p95_ms"]) for run in c["rounds"]),
            num(c["turns_per_s"]),
            ms(c["server_cpu_ms_per_turn"]),
        )
        for label, c in r["configurations"].items()
    ]
    memory = [(label, m) for label, c in r["configurations"].items() for m in c["memory_after_load"]]
    return "\n".join(
        [
            "### Development and production profiles, Rasa replicas",
            "",
            f"{s['users']} users, one message every {s['pace_s']:g} s (±{s['jitter']:.0%}), the same declarations, on "
            "three set-ups started together: `make run`'s development profile (as above), the production profile "
            "(conversations in PostgreSQL, Redis locks, PostgreSQL declarations: tests/support/stack.py, as "
            "tests/e2e/test_replicas.py runs it) with one Rasa, and the same with two Rasa replicas, each with its own "
            "action server (the client sends each request to the next replica in turn). They take the load in turn, "
            f"{s['duration_s']} s each, for {s['rounds']} rounds; "
            "p50, p95, p99 and turns/s are medians over the rounds.",
            "",
            table(
                [
                    "set-up",
                    "rounds",
                    "turns",
                    "errors",
                    "p50",
                    "p95",
                    "p99",
                    "p95 of each round",
                    "turns/s",
                    "server CPU per turn",
                ],
                rows,
            ),
            "",
            memory_table("Memory after the load", memory),
            replicas_history(r.get("history") or []),
        ]
    )


def replicas_history(lines: List[dict]) -> str:
    """Each run's p95, CPU per turn and Rasa RSS by set-up, with the code and machine measured."""
    if not lines:
        return ""
    rows = [
        (
            _measured(h),
            h.get("machine") or "-",
            _code(h),
            label,
            ms(c["p95_ms"]),
            ms(c["server_cpu_ms_per_turn"]),
            mb(c["rasa_rss_bytes"]),
        )
        for h in lines
        for label, c in h["configurations"].items()
    ]
    headers = ["measured", "machine", "code measured", "set-up", "p95", "server CPU per turn", "Rasa RSS"]
    return "\n" + across_changes(headers, rows, "Figures of two machines do not compare.")


def _measured(line: dict) -> str:
    return line["measured_at"][:16].replace("T", " ")


def _code(line: dict) -> str:
    return line["code"] or "(an earlier run; its commit was not recorded)"


def across_changes(headers: List[str], rows: list, note: str = "") -> str:
    """The runs of one benchmark with the code each measured: the changes that moved its figures."""
    return "#### Across changes\n\n" + (f"{note}\n\n" if note else "") + table(headers, rows) + "\n"


def throughput(ramps: dict, settings: dict) -> str:
    rows = [
        (
            name,
            num(r["limit_turns_per_s"]),
            " → ".join(
                f"{st['users']}u {num(st['turns_per_s'])}/s "
                f"p95 {ms(st['latency']['p95_ms'])}" + (f" ({st['errors']} err)" if st["errors"] else "")
                for st in r["steps"]
            ),
            r["steps"][-1].get("stopped_because", "last step"),
        )
        for name, r in ramps.items()
    ]
    return "\n".join(
        [
            "### Throughput limit",
            "",
            f"Closed loop: no pause, users doubled each step until errors, p95 over {settings['p95_limit_s']:g} s, or "
            f"throughput growing less than {(settings['min_gain'] - 1):.0%}. Limit: the best turns per second (POSTs "
            "of a message; each is followed by a read of the tracker) of an error-free step. The client runs on the "
            "same 2 CPUs: the no-op floor shows what it can drive.",
            "",
            table(["target", "limit (turns/s)", "steps", "stopped because"], rows),
            "",
        ]
    )


def long_conversation(longs: dict) -> str:
    rows = [
        (
            name,
            f"{w['turns'][0]}–{w['turns'][1]}",
            w["latency"]["n"],
            ms(w["latency"]["p50_ms"]),
            ms(w["latency"]["p95_ms"]),
            w["errors"],
        )
        for name, r in longs.items()
        for w in r["windows"].values()
    ]
    first = next(iter(longs.values()))
    return "\n".join(
        [
            "### One long conversation",
            "",
            f"{first['conversations']} conversation(s) of {first['turns_per_conversation']} turns without pause, "
            "FAQ questions (tests/nlu/faq_test.yml) alternated with small talk, never finishing a form.",
            "",
            table(["target", "turns", "samples", "p50", "p95", "errors"], rows),
            "",
        ]
    )


def memory_table(title: str, readings: List[tuple]) -> str:
    rows = [
        (
            owner,
            m["process"],
            mb(m["rss_bytes"]),
            mb(m.get("file_rss_bytes")),
            mb(m["peak_rss_bytes"]),
            mb(m.get("pss_bytes")),
        )
        for owner, m in readings
    ]
    headers = ["server", "process", "RSS", "of which mapped files", "peak RSS", "PSS"]
    return "\n".join([f"#### {title}", "", table(headers, rows), ""])


def footprint_section(results: Results) -> str:
    f = results.get("footprint")
    if not f:
        return "## Footprint\n\nNot run.\n"
    starts = ", ".join(f"{s['ready_s']:.1f} s / {s['first_answer_s']:.1f} s" for s in f["starts"])
    return "\n".join(
        [
            "## Footprint",
            "",
            f"Start-up (`bot.cli run`, what `make run` starts once the model is trained; fresh database, free ports), "
            f'median of {len(f["starts"])}: ready ("Vigie est prête") after {num(f["median_ready_s"], " s")}, first '
            f"answer on the REST channel after **{num(f['median_first_answer_s'], ' s')}** (each start: ready / first "
            f"answer: {starts}).",
            "",
            f"Training: {f['training']['command']}: **{num(f['training']['seconds'], ' s')}**. "
            f"Model file: {mb(f['model_bytes'])}.",
            "",
            memory_table(
                "Memory after a few declarations (" + ", ".join(f["declarations_before_memory"]) + ")",
                [("vigie", m) for m in f["memory"] or []],
            ),
            "RSS: resident set; of which mapped files: RssFile, the pages of shared libraries and other files "
            "(TensorFlow's among them), shared with every process that maps them; peak RSS: VmHWM; PSS: proportional "
            "set size (shared pages divided among the processes sharing them), from /proc.",
            "",
            footprint_history(f.get("history") or []),
        ]
    )


def footprint_history(lines: List[dict]) -> str:
    """Each run's figures with the code it measured: the changes that moved them."""
    if not lines:
        return ""
    rows = [
        (
            _measured(h),
            _code(h),
            mb(h["model_bytes"]),
            num(h["first_answer_s"], " s"),
            mb(h["rasa_rss_bytes"]),
            num(h["training_s"], " s"),
        )
        for h in lines
    ]
    headers = ["measured", "code measured", "model", "first answer", "Rasa RSS", "training"]
    return across_changes(headers, rows)


def setup_section(results: Results) -> str:
    s, title = results.get("setup"), "## Set-up and CI (bench/setup.py)"
    if not s:
        return f"{title}\n\nNot run.\n"
    if "fresh_run" not in s:
        return f"{title}\n\nSmoke run only: a clone's `make install` in {num(s['install_s'], ' s')}.\n"
    run, ci = s["fresh_run"], s["ci"]
    rows = [("fresh clone, `make run` until ready", num(run["seconds"], " s"), _phases(run["phases"]))]
    outcome = "passed" if ci["returncode"] == 0 else f"**failed** (exit {ci['returncode']})"
    model = "model reused from this machine's cache" if ci["model_reused"] else "model trained"
    rows.append((f"clean clone, `.ci/run` ({outcome}, {model})", num(ci["seconds"], " s"), _phases(ci["phases"])))
    lines = [
        title,
        "",
        "The commit measured, cloned beside ../shared. `make run`: empty package, model and pattern caches, "
        'free ports, until "Vigie est prête" (downloads and training included). `.ci/run`: `make test` on another '
        "clean clone, with this machine's package and model caches as the CI finds them.",
        "",
        table(["run", "time", "phases"], rows),
        "",
        *(f"- {line}" for line in ci["pytest"]),
        "",
    ]
    history = [
        (_measured(h), _code(h), num(h["fresh_run_s"], " s"), num(h["fresh_install_s"], " s"),
         num(h["ci_s"], " s") + ("" if h["ci_passed"] else " (failed)"))
        for h in s.get("history") or []
    ]  # fmt: skip
    if history:
        headers = ["measured", "code measured", "fresh `make run`", "of which install", "CI"]
        lines.append(across_changes(headers, history))
    return "\n".join(lines)


def _phases(phases: Dict[str, float]) -> str:
    return ", ".join(f"{name} {num(seconds, ' s')}" for name, seconds in phases.items())


def profile_section(results: Results) -> str:
    p = results.get("profile")
    if not p:
        return "## Where the time and memory go\n\nNot run.\n"
    rss = p["rss_bytes"]
    rows = [(r["function"], r["calls"], f"{r['own_s']:.3f}", f"{r['cumulative_s']:.3f}") for r in p["top_cumulative"]]
    components = [
        (
            r["function"],
            r["calls"],
            f"{r['cumulative_s']:.3f}",
            pct(r["cumulative_s"] / p["profiled_total_s"]) if p["profiled_total_s"] else "-",
        )
        for r in p["components"]
    ]
    return "\n".join(
        [
            "## Where the time and memory go (cProfile, in process)",
            "",
            f"Vigie's model loaded with Rasa's Agent in {num(p['model_load_s'], ' s')}; this process's RSS: "
            f"{mb(rss['start'])} at start, {mb(rss['after_import_rasa'])} after importing Rasa (TensorFlow), "
            f"{mb(rss['after_loading_model'])} after loading the model. Parsing {p['messages']} opening messages one "
            f"at a time: p50 {ms(p['parse']['p50_ms'])}, p95 {ms(p['parse']['p95_ms'])}.",
            "",
            "NLU components (`process`, cumulative over the profiled parses):",
            "",
            table(["component", "calls", "cumulative s", "share"], components),
            "",
            f"Top {len(rows)} functions by cumulative time:",
            "",
            table(["function", "calls", "own s", "cumulative s"], rows),
            "",
            "py-spy is not installed (not to be installed without asking). To sample a running server: "
            "`py-spy record -o rasa.svg --pid <pid of bot.rasa_server>` or `py-spy top --pid <pid>`.",
            "",
        ]
    )


def converse_section(results: Results) -> str:
    c = results.get("converse")
    if not c:
        return "## Personas (tests/personas)\n\nNot run (`make converse`).\n"
    splits = c["splits"]
    names = [n for n in ("dev", "check") if n in splits]
    lines = [
        "## Personas (tests/personas)",
        "",
        "The persona corpus, written from the spec only, played through REST by `make converse` "
        "(bench/converse.py): each persona answers the pending question, clicks the closest button "
        'after a refused typed answer, says "je ne sais pas" when it has no answer, and accepts the offer to '
        "complete the declaration made with the reference. Questions are counted up to the reference; the "
        "completion's are counted apart. Fields are scored on the declaration as it stands at the end. `dev` may "
        "be tuned on; `check` is only scored.",
        "",
    ]
    if c.get("note"):
        lines += [f"Note: {c['note']}.", ""]
    rows = [
        ("personas", *[splits[n]["personas"] for n in names]),
        ("reached a reference", *[splits[n]["reached_reference"] for n in names]),
        ("with a loop (same question 3 times)", *[splits[n]["with_loop"] for n in names]),
        ("stored without a region", *[splits[n].get("without_region", "-") for n in names]),
        (
            "naming a real establishment (tests/personas/structures.yml)",
            *[splits[n].get("naming_a_real_establishment", "-") for n in names],
        ),
        (
            "of which recognised (its FINESS or its legal entity's stored)",
            *[pct(splits[n].get("structure_recognised")) for n in names],
        ),
        ("questions, median (confirmation included)", *[num(splits[n]["questions_median"]) for n in names]),
        ("questions, worst", *[splits[n]["questions_max"] for n in names]),
        ("completed after the reference", *[splits[n].get("completed") for n in names]),
        ("completion questions, median", *[num(splits[n].get("completion_questions_median")) for n in names]),
        ("buttons clicked after refused answers", *[splits[n]["clicks"] for n in names]),
        ("field accuracy (expected fields of declarations stored)", *[pct(splits[n]["field_accuracy"]) for n in names]),
        ("of which never asked nor stored", *[pct(splits[n].get("not_collected")) for n in names]),
        ("accuracy on the fields collected", *[pct(splits[n].get("collected_accuracy")) for n in names]),
        ("incident type", *[pct(splits[n]["per_field"].get("incident_type")) for n in names]),
        ("detected_at", *[pct(splits[n]["per_field"].get("detected_at")) for n in names]),
    ]
    lines += [table(["", *names], rows), "", "Per field:", ""]
    fields = sorted({f for n in names for f in splits[n]["per_field"]})
    lines += [
        table(
            ["field", *names],
            [(f, *[pct(splits[n]["per_field"].get(f)) for n in names]) for f in fields],
        ),
        "",
    ]
    for n in names:
        stuck = splits[n]["stuck"]
        if stuck:
            lines += [f"Without a reference ({n}): " + "; ".join(f"{k}: {v}" for k, v in sorted(stuck.items())), ""]
    if "dev" in splits:
        matrix = splits["dev"]["incident_type_confusion"]
        lines += ["Incident type, dev split (expected → stored):", ""]
        lines += [
            table(
                ["expected", "stored (count)"],
                [(want, ", ".join(f"{got} {n}" for got, n in sorted(row.items()))) for want, row in matrix.items()],
            ),
            "",
        ]
    return "\n".join(lines)


def register_section(results: Results) -> str:
    r = results.get("register")
    if not r:
        return "## FINESS register (bench/register.py)\n\nNot run (`make bench BENCH_ARGS=register`).\n"
    backends = r.get("backends", {})
    lines = [
        "## FINESS register (bench/register.py)",
        "",
        f"{r.get('rows')} establishments loaded; {r.get('queries')} lookups built from {r.get('sample')} of them "
        "(hospitals, EHPAD, clinics, laboratories), in the forms people use. Target: lookup p95 ≤ 20 ms.",
        "",
        table(
            ["backend", "load", "first lookup", "p50", "p95", "max"],
            [
                [name, num(b.get("load_s"), " s"), ms(b.get("first_lookup_ms"))]
                + [ms(_get(b, "lookup_ms", k)) for k in ("p50", "p95", "max")]
                for name, b in backends.items()
            ],
        ),
        "",
        "Recognition (the establishment as the one clear match / among the choices offered):",
        "",
    ]
    forms = list(next(iter(backends.values()), {}).get("recognition", {}))
    rows = []
    for form in forms:
        row = [form]
        for b in backends.values():
            c = b["recognition"][form]
            row.append(f"{pct(c['clear'] / c['queries'])} / {pct(c['among_choices'] / c['queries'])}")
        rows.append(row)
    lines += [table(["form", *backends], rows), ""]
    return "\n".join(lines)


def types_section(results: Results) -> str:
    t = results.get("types")
    if not t:
        return "## Incident-type classifier (bench/type_classifier.py)\n\nNot run (`python -m bench types`).\n"
    lines = [
        "## Incident-type classifier (bench/type_classifier.py)",
        "",
        f"Trained on {t['training_examples']} descriptions of `data/incident_types/` ({t['types']} types), "
        'scored alone on what each persona types: its opening, its answer to "décrivez l\'incident" and its '
        f'answer to the type question. "Sure": probability ≥ {t["sure_threshold"]}, taken without asking. '
        '"Taken": what Vigie keeps without asking, the sure classifier first, else the lexicon\'s words.',
        "",
    ]
    rows = []
    for split, by_where in t["splits"].items():
        for where, f in by_where.items():
            rows.append(
                (
                    split,
                    where,
                    f["texts"],
                    pct(f["top1"]),
                    pct(f["top3"]),
                    pct(f["sure_share"]),
                    pct(f["sure_precision"]),
                )
            )
    lines += [table(["split", "text", "n", "top 1", "top 3", "sure", "sure and right"], rows), ""]
    return "\n".join(lines)


def long_run_section(results: Results) -> str:
    r = results.get("long")
    title = "## Long conversations and finished ones (bench/long_run.py)"
    if not r:
        return f"{title}\n\nNot run (`python -m bench long`).\n"
    rows = [
        (label, f"around {centre}", w["n"], ms(w["p50_ms"]), ms(w["p95_ms"]), cost["errors"])
        for label, cost in r["turn_cost"].items()
        for centre, w in cost["windows"].items()
    ]
    memory = [
        (label, reading["conversations"], num(reading["rasa_rss_mb"], " MB"), m["errors"])
        for label, m in r["memory"].items()
        for reading in m["readings"]
    ]
    s = r["settings"]
    return "\n".join(
        [
            title,
            "",
            f"One conversation of {s['turns']} turns, at most 8 a second (FAQ questions and small talk), with the "
            "session bound (`VIGIE_SESSION_EVENTS`) and without it:",
            "",
            table(["session", "turns", "samples", "p50", "p95", "errors"], rows),
            "",
            f"Development profile, waves of {s['per_wave']} short conversations (an opening and two answers), "
            f"{s['idle_s']} s apart; the Rasa process's RSS after each wave:",
            "",
            table(["idle conversations", "conversations so far", "Rasa RSS", "errors"], memory),
            "",
        ]
    )


def model_section(results: Results) -> str:
    r = results.get("model")
    title = "## The shipped model (bench/shipped_model.py)"
    if not r:
        return f"{title}\n\nNot run (`python -m bench model`).\n"
    ood = r["out_of_domain"]
    changed = _changed_settings(r.get("history") or [])
    lines = [
        title,
        "",
        f"`models/vigie.tar.gz`: {mb(r['model_bytes'])}. Uncompressed, the components of 1 MB or more: "
        + ", ".join(f"{name} {mb(size)}" for name, size in r["components_bytes"].items() if size >= 1e6)
        + ".",
        "",
        f"Never trained on: FAQ topics {pct(r['faq']['accuracy'])} of {r['faq']['sentences']} "
        f"(tests/nlu/faq_test.yml), intents {pct(r['intents']['accuracy'])} of {r['intents']['sentences']} "
        f"(tests/nlu/intents_test.yml); out-of-domain sentences that started no declaration: "
        f"{pct(ood['rejected_share'])} of {ood['sentences']}.",
        "",
        "Each model setting measured (the settings that differ between them):",
        "",
        table(
            ["settings", "model", "FAQ", "intents", "out of domain rejected"],
            [
                (changed[i], mb(h["model_bytes"]), pct(h["faq"]), pct(h["intents"]), pct(h["out_of_domain_rejected"]))
                for i, h in enumerate(r.get("history") or [])
            ],
        ),
        "",
    ]
    return "\n".join(lines)


def _changed_settings(history: List[dict]) -> List[str]:
    """For each line, the component settings that are not the same in every line."""
    flat = [
        {f"{component}.{key}": value for component, config in h["settings"].items() for key, value in config.items()}
        for h in history
    ]
    keys = sorted({k for f in flat for k in f})
    varying = [k for k in keys if len({json.dumps(f.get(k), sort_keys=True) for f in flat}) > 1]
    return [
        "; ".join(f"{k}={json.dumps(f[k]) if k in f else 'default'}" for k in varying) or "(as configured)"
        for f in flat
    ]


SECTIONS = [
    header,
    machine_section,
    targets_section,
    understanding_section,
    converse_section,
    types_section,
    register_section,
    conversation_section,
    latency_section,
    long_run_section,
    replicas_section,
    footprint_section,
    setup_section,
    model_section,
    profile_section,
]


def render(results: Results) -> str:
    if not results:
        return "# Benchmarks\n\nNo results yet: run `make bench`.\n"
    return "\n".join(section(results) for section in SECTIONS)


def write(results_dir: Path = RESULTS_DIR, out: Path = REPORT_FILE) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(read_results(results_dir)), encoding="utf-8")
    return out
