"""The benchmark harness's pure parts: statistics, scoring, targets, the report, the test set."""

import io
import json
import os
import re
import tarfile
import time
import unicodedata
from pathlib import Path

import pytest
import yaml

from bench import common, proc, replicas, report, scoring, setup, shipped_model, targets
from bench.conversation import summary
from bench.latency import stop_reason
from bench.load import Outcome, Turn, User, summarise
from bench.out_of_domain import SENTENCES_FILE, declaration_started, load
from bench.replicas import Replicas, over_rounds
from bench.training import annotate, tiny

ROOT = Path(__file__).resolve().parents[2]


# --- Statistics ------------------------------------------------------------------


def test_percentile_interpolates_like_numpy():
    assert common.percentile([4, 1, 3, 2], 50) == 2.5
    assert common.percentile([1, 2, 3, 4], 0) == 1
    assert common.percentile([1, 2, 3, 4], 100) == 4
    assert common.percentile(list(range(1, 102)), 95) == 96
    assert common.percentile([7], 99) == 7
    assert common.percentile([], 50) is None


def test_distribution_is_in_milliseconds():
    figures = common.distribution([0.1, 0.2, 0.3])
    assert figures["n"] == 3 and figures["p50_ms"] == 200 and figures["max_ms"] == 300
    assert common.distribution([])["p95_ms"] is None


def test_ratio():
    assert common.ratio(300, 100) == 3
    assert common.ratio(None, 100) is None and common.ratio(1, 0) is None


def test_machine_description_from_proc_text():
    cpuinfo = (
        "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) CPU\n\nprocessor\t: 1\nmodel name\t: Intel(R) Xeon(R) CPU\n"
    )
    assert common.cpu_description(cpuinfo) == {"cpu_model": "Intel(R) Xeon(R) CPU", "cpu_count": 2}
    assert common.ram_bytes("MemTotal:       24684544 kB\nMemFree: 1 kB\n") == 24684544 * 1024


def test_proc_reads_ppid_despite_parentheses_in_the_name():
    assert proc.parent_of("1234 (python (x) y) S 99 1234 1234 0 -1") == 99
    assert proc.label(["/v/bin/python", "-m", "bot.rasa_server", "run"]) == "bot.rasa_server"
    assert proc.label(["/v/bin/python", "/v/bin/rasa", "run", "--port", "1"]) == "rasa run"


def test_a_process_memory_splits_the_pages_of_mapped_files_from_the_rest():
    import os

    mine = proc.memory(os.getpid())
    assert mine is not None and 0 < mine["file_rss_bytes"] < mine["rss_bytes"] <= mine["peak_rss_bytes"]


# --- Scoring ------------------------------------------------------------------------


def test_dates_match_at_the_annotation_precision():
    assert scoring.comparable("detected_at", "2026-11-28T04:10", "2026-11-28T04:10:00+01:00") == (
        "2026-11-28T04:10",
        "2026-11-28T04:10",
    )
    assert scoring.comparable("detected_at", "2026-11-26", "2026-11-26T20:00:00+01:00") == ("2026-11-26", "2026-11-26")
    # UTC values are compared in Paris time
    assert scoring.date_key("2026-11-28T03:10:00+00:00", True) == "2026-11-28T04:10"
    # words are not a date: never equal to an annotation
    assert scoring.comparable("detected_at", "2026-11-28T04:10", "cette nuit")[1] == "cette nuit"


def test_cells_pairs_and_lists():
    gold = scoring.gold(
        {"incident_type": "rancongiciel", "affected_systems": ["dpi", "pacs_ris"], "detected_at": "2026-11-28"}
    )
    found = scoring.from_values(
        {
            "incident_type": "rancongiciel",
            "affected_systems": ["dpi"],
            "detected_at": "2026-11-28T09:00:00+01:00",
            "care_impact": "aucun",
        }
    )
    result = scoring.score([(gold, found)])
    fields = result["per_field"]
    assert fields["incident_type"]["accuracy"] == 1
    assert fields["detected_at"]["accuracy"] == 1
    assert fields["affected_systems"]["accuracy"] == 0  # exact set match only
    assert fields["affected_systems"]["tp"] == 1 and fields["affected_systems"]["fn"] == 1
    assert fields["care_impact"]["accuracy"] == 0 and fields["care_impact"]["fp"] == 1  # filled, not annotated
    assert fields["structure_type"]["accuracy"] == 1  # absent on both sides
    overall = result["overall"]
    assert overall["cells"] == 7 and overall["correct"] == 5 and overall["accuracy"] == round(5 / 7, 4)
    assert overall["annotated"] == 3 and overall["accuracy_annotated"] == round(2 / 3, 4)
    assert (overall["tp"], overall["fp"], overall["fn"]) == (3, 1, 1)


def test_entities_read_directly():
    found = scoring.from_entities(
        [
            {"entity": "incident_type", "value": "rancongiciel"},
            {"entity": "incident_type", "value": "autre"},
            {"entity": "affected_systems", "value": "dpi"},
            {"entity": "affected_systems", "value": "pacs_ris"},
            {"entity": "datetime", "value": "2026-11-28T03:00:00+01:00"},
            {"entity": "finess", "value": "1"},
        ]
    )
    assert found["incident_type"] == "rancongiciel"
    assert found["affected_systems"] == frozenset({"dpi", "pacs_ris"})
    assert found["detected_at"] == "2026-11-28T03:00:00+01:00"
    assert found["care_impact"] is None


def test_entity_pairs_compare_dates_by_their_words():
    text = "rançon cette nuit"
    pairs = scoring.entity_pairs(
        text,
        [
            {"entity": "incident_type", "value": "rancongiciel", "start": 0, "end": 6},
            {"entity": "datetime", "value": "2026-11-28T03:00", "start": 7, "end": 17},
        ],
    )
    assert pairs == {("incident_type", "rancongiciel"), ("datetime", "cette nuit")}
    scores = scoring.entity_scores([pairs], [{("incident_type", "rancongiciel")}])
    assert scores["micro"]["precision"] == 1 and scores["micro"]["recall"] == 0.5


def test_silver_markup():
    text = "msg de rancon cette nuit au CH"
    entities = [
        {"entity": "incident_type", "value": "rancongiciel", "start": 0, "end": 13},
        {"entity": "datetime", "value": "2026-11-28T03:00", "start": 14, "end": 24},
    ]
    assert annotate(text, entities) == (
        '[msg de rancon]{"entity": "incident_type", "value": "rancongiciel"} [cette nuit](datetime) au CH'
    )
    assert tiny([("a", "x"), ("b", "x"), ("c", "y")], 1) == [("a", "x"), ("c", "y")]


# --- Load figures ---------------------------------------------------------------------


def test_summarise_counts_errors_and_rate():
    outcome = Outcome(
        turns=[Turn(0.0, 0.1, 200), Turn(0.5, 0.2, 200), Turn(1.0, 1.0, 503), Turn(1.5, 0.5, None, "TimeoutError")],
        conversations=2,
        completed=1,
    )
    figures = summarise(outcome)
    assert figures["turns"] == 4 and figures["errors"] == 2
    assert figures["error_kinds"] == {"HTTP 503": 1, "TimeoutError": 1}
    assert figures["latency"]["n"] == 2 and figures["turns_per_s"] == 1.0  # 2 good turns over 2 s


def test_replicas_share_the_messages_although_each_is_followed_by_a_tracker_read():
    stack = type("FakeStack", (), {"env": {"VIGIE_RASA_TOKEN": "t", "VIGIE_REST_TOKEN": "r"}, "services": []})()
    rasas = [type("FakeRasa", (), {"port": port})() for port in (5001, 5002)]
    target = Replicas(stack, rasas)
    messages = []
    for _ in range(4):
        messages.append(target.webhook)
        assert target.tracker_url("s").endswith("/conversations/s/tracker")
    assert messages == [f"http://127.0.0.1:{port}/webhooks/rest/webhook" for port in (5001, 5002, 5001, 5002)]
    assert target.rest_headers == {"Authorization": "Bearer r"}
    assert target.api_headers == {"Authorization": "Bearer t"}


def test_a_user_of_a_later_run_never_reuses_a_sender():
    def sender(seed):
        user = User(None, "u0", 5.0, 0.2, 0.0, None, Outcome(), None, seed)
        user.new_conversation(0)
        return user.sender

    assert sender(0) != sender(0) and sender(0).startswith("bench-u0-0-")


def test_ramp_stops_on_errors_slowness_or_saturation():
    def step(errors=0, p95=100, rate=10):
        return {"errors": errors, "latency": {"p95_ms": p95}, "turns_per_s": rate}

    assert stop_reason(step(errors=1), None) == "errors"
    assert stop_reason(step(p95=2500), None).startswith("p95")
    assert stop_reason(step(rate=10.2), 10).startswith("throughput")
    assert stop_reason(step(rate=15), 10) is None


def test_conversation_summary():
    runs = {
        "S1": {"reference": "SSI-2026-000001", "count": 6},
        "S2": {"reference": "SSI-2026-000002", "count": 9},
        "S3": {"reference": None, "count": None},
    }
    figures = summary(runs, 18)
    assert figures["completed"] == 2 and figures["failed"] == ["S3"]
    assert figures["median_questions"] == 7.5 and figures["max_questions"] == 9


# --- Targets and report ----------------------------------------------------------------


def fixture_results() -> dict:
    machine = {
        "cpu_model": "Test CPU",
        "cpu_count": 2,
        "cpus_usable": 2,
        "ram_bytes": 8 * 2**30,
        "kernel": "6.1",
        "python": "3.10.13",
        "rasa": "3.6.21",
        "load_average": [1.0, 0.5, 0.25],
    }
    gold = scoring.gold({"incident_type": "rancongiciel", "care_impact": "aucun"})
    perfect = {**scoring.score([(gold, gold)]), "mismatches": []}
    empty = {**scoring.score([(gold, scoring.from_values({}))]), "mismatches": []}
    ood = {
        "sentences": 100,
        "declarations_started": 3,
        "rejected_share": 0.97,
        "started": [{"text": "mon chat est malade, c'est grave ?", "topic": "maison", "loop": "seriousness_form"}],
    }
    intents = {"held-out 20 % split": {"accuracy": 0.9, "macro_f1": 0.8}}
    entities = {"micro": {"f1": 1.0, "precision": 1.0, "recall": 1.0}}
    run = {
        **summarise(Outcome(turns=[Turn(0, 0.05, 200), Turn(5, 0.25, 200)])),
        "cpu_s": {"client (bench)": 0.1, "bot.rasa_server [1]": 0.2},
    }
    memory = [{"pid": 1, "process": "bot.rasa_server", "rss_bytes": 900e6, "peak_rss_bytes": 950e6, "pss_bytes": 880e6}]
    base = {"machine": machine, "started_at": "2026-12-01T20:00:00+01:00", "duration_s": 10, "smoke": True}
    return {
        "understanding": {
            **base,
            "opening": {
                "messages": 1,
                "reference_time": "2026-11-28T15:20:00+01:00",
                "default_training_s": 12.0,
                "default_epochs": 30,
                "silver_entities_in_training": 40,
                "pipelines": {
                    "vigie": {
                        "readings": {"understand": perfect, "entities": perfect},
                        "out_of_domain": ood,
                        "opening_intents": {"declare_incident": 1},
                    },
                    "default": {
                        "readings": {"entities": empty},
                        "out_of_domain": {**ood, "started": []},
                        "opening_intents": {"inform": 1},
                    },
                },
            },
            "heldout": {
                "training_examples": 10,
                "sets": {"held-out 20 % split": 5},
                "epochs_override": 2,
                "pipelines": {
                    name: {"training_s": 3.0, "intents": intents, "entities_vs_silver": entities}
                    for name in ("vigie", "default")
                },
            },
        },
        "conversation": {
            **base,
            "form_required_slots": 18,
            "rich_subset": ["S1"],
            "scenarios": {
                "S1": {"reference": "SSI-2026-000001", "questions": ["finess"] * 9, "count": 9, "failure": None}
            },
            "summary": {
                "scenarios_md": summary({"S1": {"reference": "x", "count": 9}}, 18),
                "rich": summary({"S1": {"reference": "x", "count": 9}}, 18),
                "rich_contact_at_once": summary({"S1": {"reference": "x", "count": 7}}, 18),
            },
        },
        "latency": {
            **base,
            "settings": {"pace_s": 5, "jitter": 0.2, "p95_limit_s": 2.0, "min_gain": 1.05},
            "paced": {"50": {"vigie": run, "rasa_init": run, "noop": run}},
            "ratios_p95": {"50": {"vigie_over_rasa_init": 1.0, "vigie_over_noop": 1.0}},
            "nlu_alone": {"vigie": {"latency": {"p50_ms": 20, "p95_ms": 30}}},
            "throughput": {
                "vigie": {
                    "limit_turns_per_s": 12.5,
                    "steps": [{"users": 1, "turns_per_s": 12.5, "errors": 0, "latency": {"p95_ms": 90}}],
                }
            },
            "long_conversation": {
                "vigie": {
                    "conversations": 1,
                    "turns_per_conversation": 12,
                    "windows": {
                        "10": {"turns": [5, 15], "errors": 0, "latency": {"n": 11, "p50_ms": 80, "p95_ms": 95}}
                    },
                }
            },
            "memory_after_load": {"vigie": memory},
        },
        "replicas": {
            **base,
            "settings": {"users": 50, "pace_s": 5, "jitter": 0.2, "duration_s": 90, "rounds": 2},
            "configurations": {
                "production, 1 Rasa": {**over_rounds([run, run]), "memory_after_load": memory},
                "production, 2 Rasa": {
                    **over_rounds([run, {**run, "latency": {**run["latency"], "p95_ms": 40.0}}]),
                    "memory_after_load": memory + memory,
                },
            },
        },
        "footprint": {
            **base,
            "starts": [{"ready_s": 20.0, "first_answer_s": 21.5}],
            "median_ready_s": 20.0,
            "median_first_answer_s": 12.5,
            "declarations_before_memory": {"S1": "x"},
            "memory": memory,
            "model_bytes": 168e6,
            "training": {"command": "rasa train", "seconds": 300.0},
        },
        "profile": {
            **base,
            "messages": 5,
            "model_load_s": 9.0,
            "parse": {"p50_ms": 20.0, "p95_ms": 30.0},
            "rss_bytes": {"start": 50e6, "after_import_rasa": 400e6, "after_loading_model": 900e6},
            "profiled_total_s": 0.2,
            "components": [
                {
                    "function": "rasa/nlu/classifiers/diet_classifier.py:1(process)",
                    "calls": 5,
                    "own_s": 0.01,
                    "cumulative_s": 0.1,
                }
            ],
            "top_cumulative": [{"function": "x.py:1(f)", "calls": 5, "own_s": 0.01, "cumulative_s": 0.1}],
        },
        "long": {
            **base,
            "settings": {
                "turns": 520,
                "windows": [10, 500],
                "half_window": 5,
                "waves": 2,
                "per_wave": 400,
                "idle_s": 60,
            },
            "turn_cost": {
                "bounded (300 events)": {
                    "windows": {
                        "10": {"n": 11, "p50_ms": 31.0, "p95_ms": 38.0},
                        "500": {"n": 11, "p50_ms": 44.0, "p95_ms": 52.0},
                    },
                    "errors": 0,
                },
            },
            "memory": {
                "forgotten after 60 s": {
                    "readings": [
                        {"conversations": 0, "rasa_rss_mb": 610.0},
                        {"conversations": 400, "rasa_rss_mb": 640.5},
                    ],
                    "errors": 0,
                },
            },
        },
    }


def test_targets_pass_and_miss_with_margins():
    checks = {t["target"].split()[0]: t for t in targets.evaluate(fixture_results())}
    assert checks["Opening-message"]["status"] == "pass"
    assert "+10.0 points vs 90%" in checks["Opening-message"]["margin"]
    assert checks["No"]["status"] == "pass" and checks["No"]["margin"] == "+2.0 points"
    assert checks["Full"]["status"] == "miss" and checks["Full"]["margin"] == "-1 questions"
    assert checks["p95"]["status"] == "pass"
    assert checks["First"]["status"] == "pass"
    assert checks["Every"]["status"] == "pass" and "bot.rasa_server 900 MB" in checks["Every"]["measured"]
    assert checks["FINESS"]["status"] == "not measured"
    assert checks["Model"]["status"] == "miss" and checks["Model"]["margin"] == "-128 MB"
    training = checks["Training:"]
    assert training["status"] == "miss" and training["measured"] == "300 s" and training["margin"] == "-60 s"
    production = next(t for t in targets.evaluate(fixture_results()) if t["check"] == "production_latency")
    assert production["status"] == "pass" and "production, 2 Rasa" in production["measured"]


def test_the_memory_target_reads_the_latest_load_run():
    results = fixture_results()
    results["latency"]["started_at"] = "2026-11-01T10:00:00+00:00"
    results["latency"]["memory_after_load"]["vigie"] = [{"process": "bot.rasa_server", "rss_bytes": 1956e6}]
    results["footprint"]["memory"] = [{"process": "bot.rasa_server", "rss_bytes": 800e6}]
    current = targets.memory(results)
    assert current["status"] == "pass" and "after the 50-user load, production, 1 Rasa" in current["measured"]
    results["latency"]["started_at"] = "2026-12-24T10:00:00+00:00"
    assert targets.memory(results)["status"] == "miss"


def test_a_missed_production_latency_says_where_the_cpu_goes():
    results = fixture_results()
    slow = results["replicas"]["configurations"]["production, 1 Rasa"]
    slow["latency_median_of_rounds"]["p95_ms"] = 400.0
    assert targets.production_latency(results)["status"] == "miss"
    assert "Production latency: server CPU per turn" in report.targets_section(results)


def test_the_register_target_needs_both_databases_under_20_ms():
    def lookup(sqlite: float, postgresql: float) -> dict:
        backends = {"sqlite": sqlite, "postgresql": postgresql}
        results = {"register": {"backends": {k: {"lookup_ms": {"p95": v}} for k, v in backends.items()}}}
        return targets.register_lookup(results)

    ok = lookup(7.0, 15.4)
    assert ok["status"] == "pass" and ok["measured"] == "sqlite 7 ms, postgresql 15.4 ms" and ok["margin"] == "+4.6 ms"
    slow = lookup(7.0, 22.9)
    assert slow["status"] == "miss" and slow["margin"] == "-2.9 ms"
    assert all(t["status"] == "not measured" for t in targets.evaluate({}))


def test_report_is_written_from_the_json_files(tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    for name, document in fixture_results().items():
        (results / f"{name}.json").write_text(json.dumps(document))
    text = report.write(results, tmp_path / "benchmarks.md").read_text()
    assert "**SMOKE RUN**" in text
    assert "Test CPU, 2 logical CPUs" in text and "3.6.21" in text and "1.00 / 0.50 / 0.25" in text
    assert "| Full declaration from a rich opening in ≤ 8 questions | worst 9" in text and "**miss**" in text
    assert "silver labels" in text and "18 askable slots" in text
    assert "| rich openings, name, e-mail and telephone in one answer | 1 | 1 | 7 | 7 |" in text
    assert "30 epochs for each of its components instead of rasa init's 100" in text
    assert "mon chat est malade" in text
    assert "py-spy record" in text
    assert "| production, 2 Rasa | 2 | 4 | 0 | 150 ms | 140 ms | 248 ms | 240 ms / 40 ms | 0.38 | 100 ms |" in text
    assert "| production, 2 Rasa | bot.rasa_server | 900 MB |" in text
    assert "| bounded (300 events) | around 500 | 11 | 44 ms | 52 ms | 0 |" in text
    assert "| forgotten after 60 s | 400 | 640.5 MB | 0 |" in text
    assert "p95 240 ms (production, 1 Rasa), 140 ms (production, 2 Rasa)" in report._latency_note(fixture_results())


def test_report_without_results():
    assert "No results yet" in report.render({})


# --- The out-of-domain test set ----------------------------------------------------


def _norm(text: str) -> str:
    text = "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", text))


def test_out_of_domain_set_shape():
    sentences = load()
    assert len(sentences) >= 100
    assert all(set(s) == {"topic", "text"} and s["text"].strip() and s["topic"] for s in sentences)
    assert len({_norm(s["text"]) for s in sentences}) == len(sentences)
    assert len({s["topic"] for s in sentences}) >= 10


def test_out_of_domain_sentences_are_not_in_the_training_data():
    trained = set()
    for path in (ROOT / "data").rglob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith("- "):
                trained.add(_norm(line.strip()[2:]))
    assert not [s["text"] for s in load() if _norm(s["text"]) in trained]


@pytest.mark.parametrize(
    "tracker, started",
    [
        ({"active_loop": {"name": "declaration_form"}}, True),
        ({"active_loop": {"name": "seriousness_form"}}, True),
        ({"active_loop": {"name": "ownership_form"}}, False),
        ({"active_loop": {}}, False),
        ({}, False),
    ],
)
def test_declaration_started(tracker, started):
    assert declaration_started(tracker) is started


def test_out_of_domain_file_is_plain_yaml():
    assert yaml.safe_load(SENTENCES_FILE.read_text(encoding="utf-8"))["sentences"]


def test_register_section_shows_latency_and_recognition_per_backend():
    counts = {"official name": {"queries": 4, "clear": 3, "among_choices": 4}}
    backend = {"load_s": 6.1, "first_lookup_ms": 240.0, "lookup_ms": {"p50": 4.2, "p95": 12.5, "max": 30.0}}
    results = {
        "register": {
            "rows": 95821,
            "sample": 4,
            "queries": 4,
            "backends": {
                "sqlite": {**backend, "recognition": counts},
                "postgresql": {**backend, "recognition": counts},
            },
        }
    }
    text = report.register_section(results)
    assert "| sqlite | 6.1 s | 240 ms | 4.2 ms | 12 ms | 30 ms |" in text
    assert "| official name | 75.0% / 100.0% | 75.0% / 100.0% |" in text
    assert "Not run" in report.register_section({})


def test_model_section_shows_each_setting_measured_by_what_differs():
    base = {"CountVectorsFeaturizer 1": {}, "ResponseSelector 2": {"epochs": 60}}
    smaller = {"CountVectorsFeaturizer 1": {}, "ResponseSelector 2": {"epochs": 60, "dense_dimension": {"text": 128}}}
    line = {"faq": 0.87, "intents": 0.79, "out_of_domain_rejected": 0.96}
    results = {
        "model": {
            "model_bytes": 60e6,
            "components_bytes": {"ResponseSelector": 50e6, "DIETClassifier": 10e6},
            "faq": {"accuracy": 0.88, "sentences": 170},
            "intents": {"accuracy": 0.8, "sentences": 132},
            "out_of_domain": {"rejected_share": 0.97, "sentences": 117},
            "history": [
                {**line, "settings": base, "model_bytes": 198e6},
                {**line, "settings": smaller, "model_bytes": 60e6},
            ],
        }
    }
    text = report.model_section(results)
    assert "`models/vigie.tar.gz`: 60 MB. Uncompressed, the components of 1 MB or more: " in text
    assert "or more: ResponseSelector 50 MB, DIETClassifier 10 MB." in text
    assert "| ResponseSelector 2.dense_dimension=default | 198 MB | 87.0% |" in text
    assert '| ResponseSelector 2.dense_dimension={"text": 128} | 60 MB |' in text


def test_model_components_are_weighed_from_the_archive(tmp_path):
    model = tmp_path / "model.tar.gz"
    with tarfile.open(model, "w:gz") as archive:
        for name, size in (
            ("components/train_DIETClassifier6/weights", 300),
            ("components/train_DIETClassifier6/index", 20),
            ("metadata.json", 5),
        ):
            member = tarfile.TarInfo(name)
            member.size = size
            archive.addfile(member, io.BytesIO(b"x" * size))
    assert shipped_model.components(model) == {"DIETClassifier": 320}


def test_intent_figures_compare_the_faq_topic_chosen():
    examples = [("délai cnil ?", "faq/cnil_72h"), ("bonjour", "greet")]
    parsed = [
        {
            "intent": {"name": "faq"},
            "response_selector": {"faq": {"response": {"intent_response_key": "faq/cnil_72h"}}},
        },
        {"intent": {"name": "goodbye"}},
    ]
    figures = scoring.intent_figures(examples, parsed)
    assert figures["accuracy"] == 0.5 and figures["per_label_f1"]["faq/cnil_72h"] == 1.0


def test_the_personas_are_played_as_at_14h_paris_time(monkeypatch):
    from datetime import datetime, timezone

    from bench import converse
    from bot.core.paris_time import PARIS

    monkeypatch.delenv("FAKETIME", raising=False)
    monkeypatch.setattr(converse.shutil, "which", lambda name: f"/usr/bin/{name}")
    command = converse.at_a_fixed_hour(["converse", "--split", "dev"])
    assert command[command.index("faketime") + 1] == "-f"
    stamp = command[command.index("-f") + 1]
    played = datetime.strptime(stamp, "@%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc).astimezone(PARIS)
    assert (played.hour, played.minute) == (14, 0) and played.date() == datetime.now(PARIS).date()
    assert command[-3:] == ["converse", "--split", "dev"] and "TZ=UTC" in command
    assert any(part.startswith("VIGIE_BENCH_REAL_START=") for part in command)  # the results' true date
    monkeypatch.setenv("FAKETIME", stamp)
    assert converse.at_a_fixed_hour(["converse"]) is None  # already under faketime: played as is


def test_the_personas_section_shows_the_structures_recognised():
    from bench import converse

    recognised = converse.Conversation("p1", reference="SSI-2026-000001", structure_recognised=True)
    missed = converse.Conversation("p2", reference="SSI-2026-000002", structure_recognised=False)
    section = report.converse_section({"converse": {"splits": {"check": converse.summarise([recognised, missed])}}})
    assert re.search(r"\| naming a real establishment .*\| 2 \|", section)
    assert re.search(r"\| of which recognised .*\| 50[.,]0 ?% \|", section)


def test_a_model_dated_in_the_future_is_taken_once_it_holds_still(tmp_path):
    """Under libfaketime (make converse plays at 14:00), a model trained later today looks
    written in the future: it was waited for forever."""
    model = tmp_path / "vigie.tar.gz"
    model.write_bytes(b"model")
    ahead = time.time() + 3600
    os.utime(model, (ahead, ahead))
    began = time.monotonic()
    assert common.wait_for_model(model, quiet_seconds=0.2, timeout=5, poll_seconds=0.05) == model
    assert 0.2 <= time.monotonic() - began < 5


def test_an_old_model_is_taken_at_once(tmp_path):
    model = tmp_path / "vigie.tar.gz"
    model.write_bytes(b"model")
    old = model.stat().st_mtime - 3600
    os.utime(model, (old, old))
    assert common.wait_for_model(model, quiet_seconds=20, timeout=1, poll_seconds=0.05) == model


def test_model_settings_keep_the_seed_of_each_trained_component(tmp_path):
    """Two seeds of one setting are two lines of the table: they started 79 and 87 of 95 dev openings."""
    nodes = {
        "run_bot.nlu.tokenizer.FrenchTokenizer0": {"config": {}},
        "run_bot.nlu.classifiers.CompactDIETClassifier3": {
            "config": {"epochs": 20, "random_seed": 43, "constrain_similarities": True}
        },
        "run_bot.nlu.classifiers.CompactResponseSelector4": {"config": {"epochs": 60, "random_seed": 42}},
    }
    metadata = json.dumps({"predict_schema": {"nodes": nodes}}).encode()
    model = tmp_path / "model.tar.gz"
    with tarfile.open(model, "w:gz") as archive:
        info = tarfile.TarInfo("model/metadata.json")
        info.size = len(metadata)
        archive.addfile(info, io.BytesIO(metadata))
    found = shipped_model.settings(model)
    assert found["DIETClassifier 1"] == {"epochs": 20, "random_seed": 43, "class": "CompactDIETClassifier"}
    assert found["ResponseSelector 2"]["random_seed"] == 42
    assert found["tokenizer"] == {"class": "FrenchTokenizer"}


def test_replicas_runs_keep_a_line_each_with_the_code_and_machine_measured():
    earlier = fixture_results()["replicas"]
    first = replicas.history(earlier, {}, "abc1234 an earlier change")
    assert [h["code"] for h in first] == ["abc1234 an earlier change"]
    assert first[0]["machine"] == "Test CPU, kernel 6.1"
    production = first[0]["configurations"]["production, 1 Rasa"]
    assert production["rasa_rss_bytes"] == 900e6 and production["p95_ms"] == 240.0
    saved = {**earlier, "history": first}
    later = replicas.history({**earlier, "started_at": "2026-12-06T07:00:00+00:00"}, saved, "def5678 this change")
    assert [h["code"] for h in later] == ["abc1234 an earlier change", "def5678 this change"]
    untracked = replicas.history(earlier, earlier, "def5678 this change")  # saved before the history existed
    assert [h["code"] for h in untracked] == [None, "def5678 this change"]
    section = report.replicas_section({"replicas": {**earlier, "history": later}})
    assert "#### Across changes" in section and "| def5678 this change | production, 2 Rasa |" in section


# --- Set-up and CI (bench/setup.py) -------------------------------------------------


def test_setup_phases_end_at_the_lines_make_prints():
    ci = [
        (2.0, "test -x .venv/bin/python || python3.10 -m venv .venv"),
        (40.5, "touch .venv/.installed"),
        (90.0, ".venv/bin/python -m pytest -q -n 2 tests/unit"),
        (300.0, "2879 passed, 1 skipped in 209.1s"),
        (301.0, ".venv/bin/python -m pytest -q tests/e2e"),
    ]
    assert setup.phases(ci, "ci", 640.0) == {
        "install": 40.5,
        "lint, validation, test stories": 49.5,
        "unit tests": 211.0,
        "end-to-end tests": 339.0,
    }
    # a model already trained: make goes from the install to the page and the start
    run = [(30.0, "touch .venv/.installed"), (32.0, ".venv/bin/python -m bot.cli run"), (55.0, "Vigie est prête")]
    assert setup.phases(run, "run", 55.0) == {"install": 30.0, "model and page": 2.0, "start": 23.0}
    # an install make skipped (already done) is left out, not taken from a later line
    assert setup.phases(run[1:], "run", 55.0) == {"model and page": 32.0, "start": 23.0}


def _setup_results(ci_seconds: float, returncode: int) -> dict:
    fresh = {"seconds": 380.0, "phases": {"install": 45.0, "model and page": 300.0, "start": 35.0}}
    ci = {"seconds": ci_seconds, "returncode": returncode, "model_reused": True, "phases": {"install": 30.0},
          "pytest": ["2879 passed, 1 skipped in 209.1s"]}  # fmt: skip
    figures = {"fresh_run": fresh, "ci": ci}
    return {"setup": {**figures, "history": setup.history(figures, {}, "abc1234 uv installs the packages")}}


def test_setup_targets_and_report():
    results = _setup_results(700.0, 0)
    assert targets.fresh_run(results)["status"] == "pass" and targets.fresh_run(results)["margin"] == "+40 s"
    assert targets.ci_time(results)["status"] == "pass" and targets.ci_time(results)["measured"] == "700 s"
    section = report.setup_section(results)
    assert "| fresh clone, `make run` until ready | 380 s | install 45 s, model and page 300 s, start 35 s |" in section
    assert "passed, model reused from this machine's cache" in section and "- 2879 passed" in section
    assert "| abc1234 uv installs the packages | 380 s | 45 s | 700 s |" in section


def test_a_failed_ci_misses_its_target_however_quick():
    results = _setup_results(300.0, 2)
    assert targets.ci_time(results)["status"] == "miss" and "failed (exit 2)" in targets.ci_time(results)["measured"]
    assert "**failed** (exit 2)" in report.setup_section(results)
    assert "300 s (failed)" in report.setup_section(results)
    assert all(t["status"] == "not measured" for t in (targets.fresh_run({}), targets.ci_time({})))
