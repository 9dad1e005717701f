"""The grade command grades a real answer against the bundled bank."""

from __future__ import annotations

import json

from tests.conftest import run_cli


def test_grade_json_shape_and_order() -> None:
    good = run_cli("grade", "nasyshchenie-neyrona", "--json", "--answer",
                   "Насыщение: выход сигмоиды или tanh близок к 0 или 1, градиенты очень малы, обучение замедляется.")
    assert good.returncode == 0, good.stderr
    data = json.loads(good.stdout)
    assert set(data) >= {"question_id", "score", "points", "feedback", "mode", "grader_version"}
    assert data["mode"] == "lexical"
    for p in data["points"]:
        assert p["status"] in {"covered", "partial", "missing"}
        for ev in p["evidence"]:
            assert ev["end"] > ev["start"]
    bad = json.loads(run_cli("grade", "nasyshchenie-neyrona", "--json", "--answer", "не знаю").stdout)
    assert bad["score"] < data["score"]
