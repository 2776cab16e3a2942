"""A local OpenAI-compatible chat-completions server: a test double for `trajnb.llm`.

It listens on 127.0.0.1 (a free port) in a background thread and answers
`POST /v1/chat/completions` in the real wire format, so the real `openai` client talks to it.
Used by tests/test_llm.py and by nbs/08_llm.ipynb (where it is labelled as a test double).
"""
import json, time, threading
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

def completion(content=None, refusal=None, model='test-double', usage=(120, 40)):
    "A 200 chat.completion body with one assistant message."
    msg = {'role': 'assistant', 'content': content, 'refusal': refusal}
    return 200, {'id': 'chatcmpl-test', 'object': 'chat.completion', 'created': int(time.time()), 'model': model,
                 'choices': [{'index': 0, 'message': msg, 'finish_reason': 'stop', 'logprobs': None}],
                 'usage': {'prompt_tokens': usage[0], 'completion_tokens': usage[1], 'total_tokens': sum(usage)}}

def answer(family, equation, description='a test answer', **kw):
    "A completion whose content is the JSON answer trajnb.llm asks for."
    return completion(json.dumps({'family': family, 'equation': equation, 'description': description}), **kw)

def error(status, message, type_='server_error', code=None):
    "An error body in the OpenAI format."
    return status, {'error': {'message': message, 'type': type_, 'param': None, 'code': code}}

def slow(seconds, reply):
    "A reply sent after `seconds` (longer than the client's timeout -> the client gives up)."
    def f(req):
        time.sleep(seconds)
        return reply(req) if callable(reply) else reply
    return f

class FakeOpenAI:
    """`with FakeOpenAI(replies) as srv: OpenAI(base_url=srv.url, ...)`.

    `replies` is consumed one per request and the last one repeats; an item is `(status, body)`
    or a callable `request_body -> (status, body)`. `srv.requests` records path, headers (lower-case names) and body."""
    def __init__(self, replies):
        self.replies, self.requests, self.lock = list(replies), [], threading.Lock()

    def _next(self, rec):
        "Record the request and pick its reply (the last reply repeats)."
        with self.lock:
            self.requests.append(rec)
            item = self.replies[min(len(self.requests), len(self.replies)) - 1]
        return item(rec['body']) if callable(item) else item

    def __enter__(self):
        srv = self
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a): pass
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get('Content-Length', 0))) or b'{}')
                rec = dict(path=self.path, headers={k.lower(): v for k, v in self.headers.items()}, body=body)
                if self.path.rstrip('/') != '/v1/chat/completions': status, out = error(404, f'no route {self.path}', 'not_found')
                else: status, out = srv._next(rec)
                data = (out if isinstance(out, str) else json.dumps(out)).encode()
                try:
                    self.send_response(status)
                    self.send_header('Content-Type', 'application/json'); self.send_header('Content-Length', str(len(data)))
                    self.end_headers(); self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError): pass      # the client timed out and left
        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs=dict(poll_interval=0.05), daemon=True)
        self.thread.start()
        self.url = f'http://127.0.0.1:{self.httpd.server_port}/v1'
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown(); self.httpd.server_close()
