"""A grade depends on the question, its rubric, the answer and the grader's version: never on the order Python
happens to keep a set in (string hashing is salted per process, PYTHONHASHSEED)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Grades every answer of the attack sets (contradicted points quote a clause the checks found: the most
# order-sensitive part of a grade) and prints them as JSON lines.
_SCRIPT = """
import sys, yaml
sys.path.insert(0, "benchmarks")
from attacks import shuffled, targets
from grader.grading import grade
for name in ("attacks.yaml", "attacks_roles.yaml", "attacks_topic.yaml", "attacks_contrast.yaml"):
    data = yaml.safe_load(open("benchmarks/" + name, encoding="utf-8"))
    for _where, q, r, cases in targets(data):
        for case in cases:
            answer = shuffled(q.reference, case["shuffle"]) if "shuffle" in case else case["answer"]
            print(grade(q, r, answer).model_dump_json())
"""


def _grades(seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", _SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                          encoding="utf-8", check=True, timeout=120)
    return done.stdout


def test_grades_do_not_depend_on_string_hashing() -> None:
    first = _grades("1")
    assert first.count("\n") > 100
    for seed in ("2", "4"):
        assert _grades(seed) == first, f"PYTHONHASHSEED={seed} grades differently"
