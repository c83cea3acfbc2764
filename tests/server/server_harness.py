"""Starts `onnxgen serve` on a free loopback port and talks to it with the standard library only.

Every test file imports this: `ServerProcess` runs the binary on a copy of a fixture model that has
a chat template (the fixtures ship none), and `ServerTestCase` starts one server per test class,
checks after each test that no KV block is left allocated, and stops it with SIGTERM expecting
exit code 0.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

# A ChatML template: enough to exercise /v1/chat/completions on a fixture model.
CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
MODEL_NAME = "fixture-llama"
SKIP = 77  # ctest's SKIP_RETURN_CODE for these tests

ARGS = None


def parse_args():
    """--binary and --model come from ctest; the rest of argv goes to unittest."""
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--model", required=True)
    ARGS, rest = parser.parse_known_args()
    sys.argv = sys.argv[:1] + rest
    return ARGS


def main():
    parse_args()
    unittest.main(verbosity=2)


def model_with_chat_template(fixture, into):
    """The fixture's files, linked, with a tokenizer_config.json that carries a chat template."""
    os.makedirs(into, exist_ok=True)
    for name in os.listdir(fixture):
        if name != "tokenizer_config.json":
            os.symlink(os.path.abspath(os.path.join(fixture, name)), os.path.join(into, name))
    config_path = os.path.join(fixture, "tokenizer_config.json")
    with open(config_path) as f:
        config = json.load(f)
    config["chat_template"] = CHAT_TEMPLATE
    with open(os.path.join(into, "tokenizer_config.json"), "w") as f:
        json.dump(config, f)
    return into


class ServerProcess:
    def __init__(self, *extra_args, model=None):
        self.workdir = tempfile.mkdtemp(prefix="onnxgen-serve-test-")
        model_dir = model or model_with_chat_template(ARGS.model, os.path.join(self.workdir, "model"))
        cmd = [ARGS.binary, "serve", model_dir, "--host", "127.0.0.1", "--port", "0",
               "--served-model-name", MODEL_NAME, "--threads", "1", *extra_args]
        self.log_path = os.path.join(self.workdir, "server.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.port = self._read_port()
        self.wait_healthy()

    def _read_port(self):
        # The server prints "... on http://HOST:PORT" once it is bound; give up after 60 s.
        result = {}

        def read():
            line = self.proc.stdout.readline()
            m = re.search(r"http://[^:]+:(\d+)", line)
            if m:
                result["port"] = int(m.group(1))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(60)
        if "port" not in result:
            self.proc.kill()
            raise RuntimeError("server did not start:\n" + self.logs())
        return result["port"]

    def logs(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def wait_healthy(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if self.request("GET", "/health")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("server never became healthy:\n" + self.logs())

    def connection(self, timeout=60):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, timeout=60):
        """(status, headers dict with lower-case names, body bytes)."""
        conn = self.connection(timeout)
        try:
            data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
            hdrs = {"Content-Type": "application/json"} if data is not None else {}
            hdrs.update(headers or {})
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def post_json(self, path, body, headers=None):
        status, hdrs, data = self.request("POST", path, body, headers)
        return status, hdrs, json.loads(data) if data else None

    def stream(self, path, body, headers=None):
        """POSTs a streaming request; returns (status, list of parsed events, saw [DONE])."""
        conn = self.connection()
        try:
            hdrs = {"Content-Type": "application/json"}
            hdrs.update(headers or {})
            conn.request("POST", path, body=json.dumps(body).encode(), headers=hdrs)
            resp = conn.getresponse()
            if resp.status != 200:
                return resp.status, [json.loads(resp.read())], False
            return 200, *parse_sse(resp.read().decode())
        finally:
            conn.close()

    def metrics(self):
        status, _, data = self.request("GET", "/metrics")
        assert status == 200
        values = {}
        for line in data.decode().splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                values[name] = float(value)
        return values

    def wait_idle(self, timeout=10):
        """Waits until no sequence runs or waits and no KV block is held; returns the metrics."""
        deadline = time.time() + timeout
        while True:
            m = self.metrics()
            idle = (m["onnxgen_kv_blocks_used"] == 0 and m["onnxgen_num_sequences_running"] == 0
                    and m["onnxgen_num_sequences_waiting"] == 0)
            if idle or time.time() > deadline:
                return m
            time.sleep(0.05)

    def terminate(self, timeout=60):
        """SIGTERM; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.log.close()
        return code

    def cleanup(self):
        if not self.log.closed:
            self.log.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def parse_sse(text):
    """(events as parsed JSON, whether the stream ended with [DONE]); asserts the SSE framing."""
    events, done = [], False
    for block in text.split("\n\n"):
        if not block:
            continue
        assert not done, "data after [DONE]: %r" % block
        assert block.startswith("data: "), "malformed SSE event: %r" % block
        payload = block[len("data: "):]
        if payload == "[DONE]":
            done = True
        else:
            events.append(json.loads(payload))
    return events, done


class ServerTestCase(unittest.TestCase):
    """One server per test class; after each test the KV cache must be empty again."""

    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.server = ServerProcess(*cls.server_args)

    @classmethod
    def tearDownClass(cls):
        code = cls.server.terminate()
        logs = cls.server.logs()
        cls.server.cleanup()
        if code != 0:
            raise AssertionError("server exited with %d after SIGTERM:\n%s" % (code, logs))

    def tearDown(self):
        m = self.server.wait_idle()
        self.assertEqual(m["onnxgen_kv_blocks_used"], 0, "KV blocks leaked")
        self.assertEqual(m["onnxgen_num_sequences_running"], 0)
        self.assertEqual(m["onnxgen_num_sequences_waiting"], 0)

    def assertApiError(self, status, body, expected_status, param=None):
        self.assertEqual(status, expected_status, body)
        self.assertIn("error", body)
        err = body["error"]
        self.assertEqual(set(err), {"message", "type", "param", "code"})
        self.assertTrue(err["message"])
        if param is not None:
            self.assertEqual(err["param"], param)
        return err
