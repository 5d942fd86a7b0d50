"""What `make run` (bot/cli.py) hands to the processes: the REST channel's token."""

import pytest

from bot import cli


@pytest.fixture
def fresh_env_file(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "ENV_FILE", tmp_path / ".env")
    for name in ("VIGIE_PROFILE", "VIGIE_REST_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_development_opens_the_rest_channel_with_a_generated_token(fresh_env_file):
    settings = cli.load_settings()
    assert len(settings["VIGIE_REST_TOKEN"]) >= 32
    assert "VIGIE_REST_TOKEN=" in cli.ENV_FILE.read_text()


def test_production_closes_it_unless_the_operator_sets_a_token(fresh_env_file):
    fresh_env_file.setenv("VIGIE_PROFILE", "production")
    assert cli.load_settings()["VIGIE_REST_TOKEN"] == ""
    fresh_env_file.setenv("VIGIE_REST_TOKEN", "choisi-par-l-exploitant")
    assert cli.load_settings()["VIGIE_REST_TOKEN"] == "choisi-par-l-exploitant"
