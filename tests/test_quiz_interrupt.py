"""Ctrl-C ends a quiz read even when the SIGINT reaches the interpreter while the read is not waiting for it."""

from __future__ import annotations

import os
import sys

import pytest

pexpect = pytest.importorskip("pexpect")

# The SIGINT is handled by another thread while the main thread waits in the read: the state a Ctrl-C is left in
# when it lands while readline draws the prompt or echoes a key (python/cpython#112585). Without a remedy the read
# would go on waiting for more keys.
PROGRAM = """
import signal, threading, time
threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
from grader.cli.terminal import read_answer, read_key
try:
    print("got", repr(READ()))
except KeyboardInterrupt:
    print("interrupted")
"""


@pytest.mark.parametrize(("read", "ready", "typed"), [("read_answer", "› ", "half"), ("read_key", "ready", "")])
def test_ctrl_c_noted_outside_the_read_still_ends_it(read: str, ready: str, typed: str) -> None:
    program = PROGRAM.replace("READ()", f"(print('ready', flush=True), {read}())[1]")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))} | {"LANG": "C.UTF-8"}
    child = pexpect.spawn(sys.executable, ["-c", program], env=env, encoding="utf-8", timeout=30)
    child.expect(ready)
    if typed:
        child.send(typed)
        child.expect(typed)
    child.sendintr()
    child.expect("interrupted")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
