"""Ctrl-C that always ends a blocking terminal read, even one that lands while readline is busy.

Two races swallow a Ctrl-C at a readline prompt, each until the user presses more keys:
- CPython's readline loop looks at signals only when its select() is interrupted (python/cpython#112585): a SIGINT
  that arrives while readline sets up the prompt or echoes a key is noted by the interpreter, then forgotten. Here a
  thread hears of every SIGINT through the signal wakeup fd and, until the main thread has left the read, pokes it
  with SIGWINCH: readline handles that signal already (it re-reads the window size), the poke interrupts select()
  and the interpreter raises the KeyboardInterrupt it had noted.
- Ctrl-C makes the terminal discard the keys typed ahead; when select() has just said there are some, readline goes
  on to read them and waits for them for ever (it retries a read interrupted by a signal). So during the read the
  terminal keeps them (NOFLSH), and they are discarded when the read ends with a KeyboardInterrupt.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator

POKE_EVERY = 0.05  # seconds; a main thread that reacts by itself in time is never poked


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Around a blocking read in the main thread: a Ctrl-C during it raises KeyboardInterrupt without fail."""
    if not _needed():
        yield
        return
    with _keep_typeahead(), _poke_after_sigint():
        yield


def _needed() -> bool:
    """Only in the main thread (it gets the signals), where a poke interrupts a read: SIGWINCH has a handler.

    The readline module installs its SIGWINCH handler in C on import, which `signal.getsignal` does not see.
    """
    if not hasattr(signal, "pthread_kill") or threading.current_thread() is not threading.main_thread():
        return False  # pragma: no cover - Windows, or a read off the main thread
    return "readline" in sys.modules or callable(signal.getsignal(signal.SIGWINCH))


@contextlib.contextmanager
def _keep_typeahead() -> Iterator[None]:
    """Ctrl-C leaves the typed-ahead keys in place while inside; they are dropped on the way out of an interrupt."""
    import termios

    fd = sys.stdin.fileno()
    if not os.isatty(fd):
        yield
        return
    before = termios.tcgetattr(fd)[3] & termios.NOFLSH
    _set_noflsh(fd, termios.NOFLSH)
    try:
        yield
    except KeyboardInterrupt:
        termios.tcflush(fd, termios.TCIFLUSH)
        raise
    finally:
        _set_noflsh(fd, before)


def _set_noflsh(fd: int, bit: int) -> None:
    import termios

    attrs = termios.tcgetattr(fd)  # the current mode: readline and cbreak change it inside
    attrs[3] = (attrs[3] & ~termios.NOFLSH) | bit
    termios.tcsetattr(fd, termios.TCSANOW, attrs)


@contextlib.contextmanager
def _poke_after_sigint() -> Iterator[None]:
    """A watcher thread pokes the main thread after a SIGINT until the block inside has been left."""
    r, w = os.pipe()
    os.set_blocking(w, False)  # the wakeup fd must never block the signal handler
    left = threading.Event()
    main = threading.main_thread().ident
    watcher = threading.Thread(target=_watch, args=(r, left, main), name="ctrl-c watcher", daemon=True)
    old = signal.set_wakeup_fd(w, warn_on_full_buffer=False)
    watcher.start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(old)
        left.set()
        os.write(w, b"\0")  # no signal is numbered 0: it only wakes a watcher still waiting
        watcher.join()
        os.close(r)
        os.close(w)


def _watch(r: int, left: threading.Event, main: int | None) -> None:
    """Wait for a SIGINT; then poke the main thread until it has left the read."""
    while not left.is_set():
        if int(signal.SIGINT) in os.read(r, 512):  # the wakeup fd gets one byte per signal: its number
            while not left.wait(POKE_EVERY) and main is not None:
                signal.pthread_kill(main, signal.SIGWINCH)
            return
