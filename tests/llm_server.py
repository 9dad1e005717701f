"""A loopback OpenAI-compatible server for tests and benchmarks: stdlib http.server in a thread.

It serves POST /v1/chat/completions with `json_schema` and `json_object` response formats, and GET /v1/models.
What it replies is decided by `LoopbackLLM.grade(points, answer) -> {point id: (verdict, quote)}`, which each test
sets to something short and visible; by default a point is covered when its id appears in the answer (quoting the
id). The reply takes the shape of the schema sent (keyed by point id, or a list), keyed when none is sent.
Scripted failures (`fail_next`), raw content (`raw_next`), raw bodies (`body_next`), latency, and a
json_schema-rejecting mode cover the unhappy paths. Every request (body and headers) is recorded, and the peak of
requests in flight is tracked.

What llama.cpp and small local models do, switched on one by one:
- `reject_json_schema`: llama-cpp-python's HTTP 500 to any `json_schema`; it constrains output by a schema given
  inside `json_object` instead (always honoured here);
- `reject_max_length`: a strict server's 400 for `maxLength` in a schema (OpenAI's strict mode);
- `small_model`: without a schema naming the point ids (no schema, or a list whose `id` is a free string) the
  model writes ids of its own ("point", "point1"), as SmolLM2-135M under a llama.cpp grammar did;
- `rambles`: the model runs on in any string without `maxLength`, to `max_tokens` (or its 8,192-token context)
  and the reply is cut off (`finish_reason: length`);
- `capacity`: more requests in flight than slots get llama-server's 500 "Context size has been exceeded";
- `latency` (a slow first token), `drip` (a body sent a byte at a time), `drop_next` (the connection closed
  without a reply).
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


_WORD = re.compile(r"\w{4,}")


def by_overlap(points: dict[str, str], answer: str) -> dict[str, tuple[str, str]]:
    """What a real judge replies, roughly (benchmarks): a point is covered when a sentence of the answer shares two
    words (4+ letters) with it, quoting that sentence (up to 150 characters), so the grader grounds every quote."""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?;])\s+|\n+", answer) if s.strip()]
    words = [set(_WORD.findall(s.lower())) for s in sentences]
    out = {}
    for pid, text in points.items():
        wanted = set(_WORD.findall(text.lower()))
        best = max(range(len(sentences)), key=lambda i: len(words[i] & wanted), default=None)
        if best is None or len(words[best] & wanted) < 2:
            out[pid] = ("missing", "")
        else:
            out[pid] = ("covered", sentences[best][:150].rsplit(" ", 1)[0] if len(sentences[best]) > 150
                        else sentences[best])  # fmt: skip
    return out


@dataclass
class LoopbackLLM:
    url: str = ""
    grade: Grader = by_id_in_answer
    latency: float = 0.0
    reject_json_schema: bool = False
    reject_max_length: bool = False
    small_model: bool = False
    rambles: bool = False
    capacity: int = 0  # 0: unlimited
    drip: float = 0.0  # seconds between bytes of the body
    drop_next: int = 0  # requests to answer by closing the connection
    body_next: list[Any] = field(default_factory=list)  # whole response bodies to send instead of a completion
    models: list[str] = field(default_factory=lambda: ["loopback-1"])
    fail_message: str = "scripted failure"
    reject_keyed: bool = False  # a 400 for a schema whose points are an object keyed by id
    overloaded: int = 0  # how many requests got "Context size has been exceeded"
    fail_next: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (status, headers) per request
    raw_next: list[str] = field(default_factory=list)  # message content to send instead of a grade
    sleep_next: list[float] = field(default_factory=list)  # extra delay per request (for timeouts)
    requests: list[dict[str, Any]] = field(default_factory=list)
    in_flight: int = 0
    peak: int = 0
    connections: set[tuple[str, int]] = field(default_factory=set)  # client (host, port) pairs seen
    # per request (time.time()): [arrived (body read), replied (latency over), client port, began (headers read),
    # written (reply sent)]
    spans: list[list[float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def formats(self) -> list[str]:
        return [(r["body"].get("response_format") or {}).get("type", "none") for r in self.requests]

    def rungs(self) -> list[str]:
        """Each request's format in detail: json_schema[:list][:unbounded], json_object[+schema]."""
        out = []
        for r in self.requests:
            fmt = r["body"].get("response_format") or {}
            schema = _schema_of(fmt)
            name = fmt.get("type", "none") + ("+schema" if fmt.get("type") == "json_object" and schema else "")
            if fmt.get("type") == "json_schema" and schema is not None:
                name += "" if _keyed(schema) else ":list"
                name += "" if "maxLength" in json.dumps(schema) else ":unbounded"
            out.append(name)
        return out


_POINT = re.compile(r"^- ([a-z0-9_-]+): (.*)$", re.M)
_ANSWER = re.compile(r"<student_answer-(\w+)>\n(.*)\n</student_answer-\1>", re.S)


def _completion(content: str, body: dict[str, Any], finish: str = "stop") -> dict[str, Any]:
    return {
        "id": "chatcmpl-loopback", "object": "chat.completion", "created": int(time.time()), "model": body["model"],
        "choices": [{"index": 0, "finish_reason": finish, "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }


def _schema_of(fmt: dict[str, Any]) -> dict[str, Any] | None:
    if fmt.get("type") == "json_schema":
        schema: dict[str, Any] | None = (fmt.get("json_schema") or {}).get("schema")
        return schema
    return fmt.get("schema")


def _keyed(schema: dict[str, Any] | None) -> bool:
    """Whether a grading schema keys points by id (True when there is no schema: the prompt asks for that)."""
    if schema is None:
        return True
    return bool(schema.get("properties", {}).get("points", {}).get("type") == "object")


def _ids_bound(schema: dict[str, Any] | None) -> bool:
    """Whether the schema itself names the point ids (keyed properties, or an enum on a list's `id`)."""
    if schema is None:
        return False
    points = schema.get("properties", {}).get("points", {})
    return points.get("type") == "object" or "enum" in points.get("items", {}).get("properties", {}).get("id", {})


def _handler(state: LoopbackLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:  # /v1/models; anything else: /stats, for benchmarks in another process
            with state.lock:
                if self.path.endswith("/models"):
                    self._send(200, {"object": "list", "data": [{"id": m, "object": "model"} for m in state.models]})
                else:
                    self._send(200, {"requests": len(state.requests), "peak": state.peak,
                                     "connections": len(state.connections), "spans": state.spans,
                                     "cpu": time.process_time()})

        def do_POST(self) -> None:
            began = time.time()
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if not self.path.startswith("/v1/"):  # what llama-server says to a base URL without /v1
                self._send(404, {"error": {"code": 404, "message": "File Not Found", "type": "not_found_error"}})
                return
            with state.lock:
                headers = {k.lower(): v for k, v in self.headers.items()}
                state.requests.append({"path": self.path, "body": body, "headers": headers})
                state.in_flight += 1
                state.connections.add(self.client_address[:2])
                span = [time.time(), 0.0, self.client_address[1], began, 0.0]
                state.spans.append(span)
                state.peak = max(state.peak, state.in_flight)
                full = bool(state.capacity) and state.in_flight > state.capacity
                state.overloaded += full
                fail = state.fail_next.pop(0) if state.fail_next else None
                raw = state.raw_next.pop(0) if state.raw_next else None
                whole = state.body_next.pop(0) if state.body_next else None
                extra = state.sleep_next.pop(0) if state.sleep_next else 0.0
                drop = state.drop_next > 0
                state.drop_next -= drop
            try:
                time.sleep(state.latency + extra)
                with state.lock:  # the slot is free once the reply is made, as in llama-server
                    state.in_flight -= 1
                    span[1] = time.time()
                if drop:
                    self.close_connection = True
                    self.connection.shutdown(2)
                elif full:
                    self._send(500, {"error": {"code": 500, "type": "server_error",
                                               "message": "Context size has been exceeded."}})
                elif whole is not None:
                    self._send(200, whole)
                else:
                    self._reply(body, fail, raw)
                span[4] = time.time()
            except (BrokenPipeError, ConnectionResetError, OSError):  # the client gave up (timeout tests)
                pass

        def _reply(self, body: dict[str, Any], fail: tuple[int, dict[str, str]] | None, raw: str | None) -> None:
            fmt = body.get("response_format") or {}
            schema = _schema_of(fmt)
            if fail:
                self._send(fail[0], {"error": {"message": state.fail_message}}, fail[1])
            elif fmt.get("type") == "json_schema" and state.reject_json_schema:  # as llama.cpp's Python server does
                self._send(500, {"error": {"message": "response_format json_schema is not supported"}})
            elif fmt.get("type") == "json_schema" and state.reject_max_length and "maxLength" in json.dumps(schema):
                self._send(400, {"error": {"message": "Invalid schema for response_format 'grade': 'maxLength' is "
                                           "not permitted.", "param": "response_format"}})
            elif fmt.get("type") == "json_schema" and state.reject_keyed and schema is not None and _keyed(schema):
                self._send(400, {"error": {"message": "Invalid schema for response_format: object properties must "
                                           "be fixed names"}})
            elif raw is not None:
                self._send(200, _completion(raw, body))
            else:
                self._send(200, self._graded(body, schema))

        def _graded(self, body: dict[str, Any], schema: dict[str, Any] | None) -> dict[str, Any]:
            user = body["messages"][-1]["content"]
            points = dict(_POINT.findall(user.split("<student_answer-")[0]))
            m = _ANSWER.search(user)
            verdicts = state.grade(points, m.group(2) if m else "")
            bounded = "maxLength" in json.dumps(schema or {})
            if state.small_model and not _ids_bound(schema):
                verdicts = {("point" + (str(i) if i else "")): v for i, v in enumerate(verdicts.values())}
            items = {k: {"verdict": v, "quote": q, "feedback": f"{k}: {v}"} for k, (v, q) in verdicts.items()}
            if state.rambles and not bounded:
                for item in items.values():
                    item["feedback"] += " and so on" * 4000
            shaped: Any = items if _keyed(schema) else [{"id": k, **v} for k, v in items.items()]
            content = json.dumps({"points": shaped, "feedback": "loopback feedback"}, ensure_ascii=False)
            limit = body.get("max_tokens") or 8192
            if len(content) // 4 > limit:  # about four characters a token
                return _completion(content[: limit * 4], body, finish="length")
            return _completion(content, body)

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()  # bytes: sent as they are
            self.send_response(status)
            for k, v in {"Content-Type": "application/json", **(headers or {})}.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if state.drip and status == 200:
                for i in range(len(data)):
                    self.wfile.write(data[i : i + 1])
                    self.wfile.flush()
                    time.sleep(state.drip)
            else:
                self.wfile.write(data)

    return Handler


class _Server(ThreadingHTTPServer):
    # The listen backlog is taken when the socket is bound, so it must be set on the class: the default 5 dropped
    # the SYNs of a burst of new connections, which the client's TCP resent only after a second.
    request_queue_size = 1024
    daemon_threads = True


@pytest.fixture
def llm_server() -> Iterator[LoopbackLLM]:
    """A running loopback server; `state.url` is its base URL (ending in /v1)."""
    with serve() as state:
        yield state


class serve:
    """Context manager running a loopback server (used by the fixture and by benchmarks/llm.py)."""

    @staticmethod
    def main() -> None:
        """`python -m tests.llm_server LATENCY [--quotes]`: serve until stdin closes, printing the base URL first;
        `--quotes` grades as `by_overlap` (covered points with quotes from the answer, as a real judge replies)."""
        import sys

        grade = by_overlap if "--quotes" in sys.argv else by_id_in_answer
        with serve(latency=float(sys.argv[1]) if len(sys.argv) > 1 else 0.0, grade=grade) as state:
            print(state.url, flush=True)
            sys.stdin.read()

    def __init__(self, **kw: Any) -> None:
        self.state = LoopbackLLM(**kw)

    def __enter__(self) -> LoopbackLLM:
        self.httpd = _Server(("127.0.0.1", 0), _handler(self.state))
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()
        self.state.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        from grader.llm.judges.servers import FORMATS

        FORMATS.forget(self.state.url)  # what an earlier server on this port taught the process
        return self.state

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


if __name__ == "__main__":
    serve.main()
