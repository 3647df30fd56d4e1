"""rasa_patches refuses another Rasa version, and its benchmark switch only leaves out patches it knows."""

from __future__ import annotations

import pytest
import rasa

import rasa_patches


def test_another_rasa_version_is_refused_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rasa, "__version__", "3.6.20")
    with pytest.raises(rasa_patches.RasaVersionMismatch, match="written for Rasa 3.6.21, but Rasa 3.6.20"):
        rasa_patches.apply()


def test_benchmark_switch_names_the_patches_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(rasa_patches.SWITCH_VARIABLE, "all")
    assert rasa_patches.apply() == []
    monkeypatch.setenv(rasa_patches.SWITCH_VARIABLE, "action_response_validation")
    assert rasa_patches.switched_off() == ["action_response_validation"]
    assert rasa_patches.apply() == [
        "sql_event_batches",
        "stream_without_reload",
        "kept_alive_sessions",
        "incremental_states",
    ]
    monkeypatch.setenv(rasa_patches.SWITCH_VARIABLE, "action_respons_validation")
    with pytest.raises(ValueError, match="unknown patch action_respons_validation"):
        rasa_patches.switched_off()
    monkeypatch.delenv(rasa_patches.SWITCH_VARIABLE)
    assert rasa_patches.apply() == [
        "action_response_validation",
        "sql_event_batches",
        "stream_without_reload",
        "kept_alive_sessions",
        "incremental_states",
    ]
