"""A model trained from the same inputs is reused; any change to an input trains again."""

import os

from bot import model_cache


def inputs(tmp_path, config="pipeline: []"):
    (tmp_path / "config.yml").write_text(config)
    (tmp_path / "nlu.yml").write_text("nlu: []")
    return [tmp_path / "config.yml", tmp_path / "nlu.yml"]


def test_the_key_follows_the_contents_not_the_order(tmp_path):
    files = inputs(tmp_path)
    key = model_cache.inputs_key(files)
    assert model_cache.inputs_key(list(reversed(files))) == key
    assert model_cache.inputs_key(inputs(tmp_path, "pipeline: [x]")) != key


def test_a_model_kept_is_fetched_for_the_same_inputs_only(tmp_path):
    cache, model = tmp_path / "cache", tmp_path / "models" / "vigie.tar.gz"
    files = inputs(tmp_path)
    assert model_cache.main(["fetch", "--cache", str(cache), "--model", str(model), *map(str, files)]) == 1
    model.parent.mkdir(exist_ok=True)
    model.write_bytes(b"trained")
    assert model_cache.main(["keep", "--cache", str(cache), "--model", str(model), *map(str, files)]) == 0
    model.unlink()
    assert model_cache.main(["fetch", "--cache", str(cache), "--model", str(model), *map(str, files)]) == 0
    assert model.read_bytes() == b"trained"
    assert not model_cache.fetch(cache, model, inputs(tmp_path, "pipeline: [changed]"))


def test_no_cache_given_always_trains(tmp_path):
    files = [str(f) for f in inputs(tmp_path)]
    assert model_cache.main(["fetch", "--cache", "", "--model", str(tmp_path / "m.tar.gz"), *files]) == 1
    assert model_cache.main(["keep", "--cache", "", "--model", str(tmp_path / "m.tar.gz"), *files]) == 0


def test_only_the_last_models_used_are_kept(tmp_path):
    cache, model = tmp_path / "cache", tmp_path / "vigie.tar.gz"
    model.write_bytes(b"m")
    for n in range(model_cache.KEPT + 2):
        kept = model_cache.keep(cache, model, inputs(tmp_path, f"pipeline: [{n}]"))
        os.utime(kept, (1000 + n, 1000 + n))
    assert len(list(cache.glob("*.tar.gz"))) == model_cache.KEPT
    assert not list(cache.glob("*.partial"))


def test_inputs_changed_during_the_training_train_again(tmp_path):
    """The model is kept under the inputs it read, and dated before the change, so make
    trains again and the cache never gives it for the new inputs."""
    cache, model = tmp_path / "cache", tmp_path / "models" / "vigie.tar.gz"
    files = inputs(tmp_path)
    assert not model_cache.fetch(cache, model, files)  # the training starts
    changed = inputs(tmp_path, "pipeline: [edited while training]")
    model.write_bytes(b"trained on the first inputs")
    model_cache.keep(cache, model, changed)
    assert model.stat().st_mtime <= changed[0].stat().st_mtime
    assert not model_cache.fetch(cache, tmp_path / "other.tar.gz", changed)
    assert model_cache.fetch(cache, tmp_path / "other.tar.gz", inputs(tmp_path))


# --- Rasa's own training cache -------------------------------------------------------


def test_our_nlu_code_changing_anywhere_changes_the_fingerprint_rasa_caches_by(tmp_path):
    import shutil

    from bot.nlu.source import PACKAGE, package_fingerprint

    copy = tmp_path / "nlu"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = package_fingerprint(copy)
    assert package_fingerprint(copy) == before == package_fingerprint(PACKAGE)
    helper = copy / "lemma_tables.py"  # no component class is in it: Rasa alone would not see it
    helper.write_text(helper.read_text() + "\n# changed\n")
    package_fingerprint.cache_clear()
    assert package_fingerprint(copy) != before


def test_every_component_of_ours_in_the_pipeline_adds_the_package_fingerprint():
    import importlib

    import yaml

    from bot.nlu.source import package_fingerprint

    names = [step["name"] for step in yaml.safe_load(open("config.yml"))["pipeline"] if step["name"].startswith("bot.")]
    assert len(names) >= 8
    for name in names:
        module, cls = name.rsplit(".", 1)
        addon = getattr(importlib.import_module(module), cls).fingerprint_addon({})
        assert addon and package_fingerprint() in addon, name
