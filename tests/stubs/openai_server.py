"""A stub OpenAI-compatible chat server on 127.0.0.1 for tests of the real `openai` client.

Behaviour is scripted per test: `server.reply = "text"`, `server.status = 429`, `server.delay = 2.0`.
Every request body is kept in `server.requests`.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StubOpenAIServer:
    def __init__(self) -> None:
        self.reply = "Hello from the stub."
        self.status = 200
        self.delay = 0.0
        self.finish_reason = "stop"
        self.requests: list[dict] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> "StubOpenAIServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                stub.requests.append(body)
                if stub.delay:
                    time.sleep(stub.delay)
                if stub.status != 200:
                    self._json(stub.status, {"error": {"message": f"stub status {stub.status}", "type": "stub"}})
                elif body.get("stream"):
                    self._stream(body)
                else:
                    self._json(200, _completion(body, stub.reply, stub.finish_reason))

            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body: dict) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                words = stub.reply.split(" ")
                for index, word in enumerate(words):
                    piece = word if index == 0 else " " + word
                    self._event({"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}, body)
                self._event({"choices": [{"index": 0, "delta": {}, "finish_reason": stub.finish_reason}]}, body)
                self._event({"choices": [], "usage": _usage(body, stub.reply)}, body)
                self.wfile.write(b"data: [DONE]\n\n")

            def _event(self, fields: dict, body: dict) -> None:
                chunk = {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": 0, "model": body["model"]}
                self.wfile.write(f"data: {json.dumps({**chunk, **fields})}\n\n".encode())
                self.wfile.flush()

        return Handler


def _usage(body: dict, reply: str) -> dict:
    prompt = sum(len(message["content"].split()) for message in body.get("messages", []))
    return {
        "prompt_tokens": prompt,
        "completion_tokens": len(reply.split()),
        "total_tokens": prompt + len(reply.split()),
    }


def _completion(body: dict, reply: str, finish_reason: str) -> dict:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": 0,
        "model": body["model"],
        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": finish_reason}],
        "usage": _usage(body, reply),
    }
