"""The bits the matcher keeps of each piece of an answer belong to one check each: no two checks share a bit."""

from __future__ import annotations

import itertools

from grader.engine.hedges import HEDGE_MARK, NEG_MARK
from grader.engine.lexical import _piece_marks
from grader.engine.reversal import DIRECTION_MARK
from grader.engine.unclaimed import ASKS, JUDGES, VAGUE

INJECTION = 1  # `grader.engine.injection.piece_may_hold_injection`
BITS = {"injection": INJECTION, "direction": DIRECTION_MARK, "asks": ASKS, "judges": JUDGES, "vague": VAGUE,
        "hedge": HEDGE_MARK, "negation": NEG_MARK}


def test_every_check_has_its_own_bit() -> None:
    for (a, x), (b, y) in itertools.combinations(BITS.items(), 2):
        assert x & y == 0, f"{a} and {b} share a bit"
    assert all(bin(x).count("1") == 1 for x in BITS.values())


def test_a_piece_sets_the_bits_of_what_it_holds() -> None:
    assert _piece_marks("wrong?", "en") & (ASKS | JUDGES) == ASKS | JUDGES
    assert _piece_marks("gradient", "en") & (ASKS | JUDGES | VAGUE | DIRECTION_MARK) == 0
