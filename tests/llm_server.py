"""A loopback OpenAI-compatible server for tests and benchmarks: stdlib http.server in a thread.

It serves POST /v1/chat/completions with `json_schema` and `json_object` response formats. What it replies is
decided by `LoopbackLLM.grade(points, answer) -> {point id: (verdict, quote)}`, which each test sets to something
short and visible; by default a point is covered when its id appears in the answer (quoting the id).
Scripted failures (`fail_next`), raw content (`raw_next`), latency, and a json_schema-rejecting mode cover the
unhappy paths. Every request (body and headers) is recorded, and the peak of requests in flight is tracked.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

Grader = Callable[[dict[str, str], str], dict[str, tuple[str, str]]]


def by_id_in_answer(points: dict[str, str], answer: str) -> dict[str, tuple[str, str]]:
    return {pid: ("covered", pid) if pid in answer else ("missing", "") for pid in points}


@dataclass
class LoopbackLLM:
    url: str = ""
    grade: Grader = by_id_in_answer
    latency: float = 0.0
    reject_json_schema: bool = False
    fail_next: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (status, headers) per request
    raw_next: list[str] = field(default_factory=list)  # message content to send instead of a grade
    sleep_next: list[float] = field(default_factory=list)  # extra delay per request (for timeouts)
    requests: list[dict[str, Any]] = field(default_factory=list)
    in_flight: int = 0
    peak: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def formats(self) -> list[str]:
        return [(r["body"].get("response_format") or {}).get("type", "none") for r in self.requests]


_POINT = re.compile(r"^- ([a-z0-9_-]+): (.*)$", re.M)
_ANSWER = re.compile(r"<student_answer>\n(.*)\n</student_answer>", re.S)


def _completion(content: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-loopback", "object": "chat.completion", "created": int(time.time()), "model": body["model"],
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }


def _handler(state: LoopbackLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            for k, v in {"Content-Type": "application/json", **(headers or {})}.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # /stats, for benchmarks running the server in another process
            with state.lock:
                self._send(200, {"requests": len(state.requests), "peak": state.peak})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with state.lock:
                headers = {k.lower(): v for k, v in self.headers.items()}
                state.requests.append({"path": self.path, "body": body, "headers": headers})
                state.in_flight += 1
                state.peak = max(state.peak, state.in_flight)
                fail = state.fail_next.pop(0) if state.fail_next else None
                raw = state.raw_next.pop(0) if state.raw_next else None
                extra = state.sleep_next.pop(0) if state.sleep_next else 0.0
            try:
                time.sleep(state.latency + extra)
                self._reply(body, fail, raw)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
                pass
            finally:
                with state.lock:
                    state.in_flight -= 1

        def _reply(self, body: dict[str, Any], fail: tuple[int, dict[str, str]] | None, raw: str | None) -> None:
            fmt = (body.get("response_format") or {}).get("type")
            if fail:
                self._send(fail[0], {"error": {"message": "scripted failure"}}, fail[1])
            elif fmt == "json_schema" and state.reject_json_schema:  # as llama.cpp's Python server does
                self._send(500, {"error": {"message": "response_format json_schema is not supported"}})
            elif raw is not None:
                self._send(200, _completion(raw, body))
            else:
                user = body["messages"][-1]["content"]
                points = dict(_POINT.findall(user.split("<student_answer>")[0]))
                m = _ANSWER.search(user)
                verdicts = state.grade(points, m.group(1) if m else "")
                reply = {"points": [{"id": k, "verdict": v, "quote": q, "feedback": f"{k}: {v}"}
                                    for k, (v, q) in verdicts.items()], "feedback": "loopback feedback"}
                self._send(200, _completion(json.dumps(reply), body))

    return Handler


@pytest.fixture
def llm_server() -> Iterator[LoopbackLLM]:
    """A running loopback server; `state.url` is its base URL (ending in /v1)."""
    with serve() as state:
        yield state


class serve:
    """Context manager running a loopback server (used by the fixture and by benchmarks/llm.py)."""

    @staticmethod
    def main() -> None:
        """`python -m tests.llm_server LATENCY`: serve until stdin closes, printing the base URL first."""
        import sys

        with serve(latency=float(sys.argv[1]) if len(sys.argv) > 1 else 0.0) as state:
            print(state.url, flush=True)
            sys.stdin.read()

    def __init__(self, **kw: Any) -> None:
        self.state = LoopbackLLM(**kw)

    def __enter__(self) -> LoopbackLLM:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self.httpd.daemon_threads = True
        self.httpd.request_queue_size = 128
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()
        self.state.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        return self.state

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


if __name__ == "__main__":
    serve.main()
