"""What must hold when things go wrong: a full queue (429), a client that hangs up mid-stream, the
server-side timeout, and SIGTERM with requests in flight. No path may leave a KV block allocated."""

import json
import signal
import socket
import time
import unittest

import server_harness
from server_harness import MODEL_NAME, ServerProcess, ServerTestCase, parse_sse

LONG = {"model": MODEL_NAME, "prompt": "Once upon a time", "max_tokens": 240, "ignore_eos": True, "temperature": 0}


def open_stream(server, body):
    """Sends a streaming request and returns the response once its headers arrived (the request
    was submitted by then); the caller reads or abandons the body."""
    conn = server.connection()
    conn.request("POST", "/v1/completions", body=json.dumps(dict(body, stream=True)),
                 headers={"Content-Type": "application/json"})
    return conn, conn.getresponse()


def read_events(resp):
    return parse_sse(resp.read().decode())


class QueueFull(ServerTestCase):
    # One sequence runs, one may wait; prefill in small chunks keeps the first busy for a while.
    server_args = ("--max-num-seqs", "1", "--max-queue", "1", "--max-batch-tokens", "16")

    def test_429_with_retry_after(self):
        # Eight at once: two are admitted (one running, one waiting), the rest find the queue full
        # unless an admitted one has finished in between, which takes far longer than sending.
        streams = [open_stream(self.server, LONG) for _ in range(8)]
        refused = 0
        for conn, resp in streams:
            if resp.status == 429:
                refused += 1
                self.assertGreaterEqual(int(resp.getheader("Retry-After")), 1)
                self.assertEqual(self.assertApiError(429, json.loads(resp.read()), 429)["code"], "queue_full")
            else:
                # Admitted requests still complete in full.
                self.assertEqual(resp.status, 200)
                events, done = read_events(resp)
                self.assertTrue(done)
                self.assertEqual(events[-1]["choices"][0]["finish_reason"], "length")
            conn.close()
        self.assertGreaterEqual(refused, 1)
        self.assertGreaterEqual(self.server.metrics()['onnxgen_http_requests_total{endpoint="/v1/completions",status="429"}'], 1)


class Disconnect(ServerTestCase):
    # Eight choices of LONG: the fixture model decodes one in tens of milliseconds, which a loaded
    # machine could let pass before the server's writer thread ran again to find the socket closed
    # (seen under ctest -j2 beside busy loops); eight at once take several times as long.
    def test_client_hangup_cancels_the_request(self):
        before = self.server.metrics()["onnxgen_engine_generated_tokens_total"]
        body = dict(LONG, n=8)
        conn, resp = open_stream(self.server, body)
        self.assertEqual(resp.status, 200)
        resp.read(16)  # the first event arrived: the sequence is decoding
        conn.sock.shutdown(socket.SHUT_RDWR)
        conn.close()
        m = self.server.wait_idle(timeout=5)
        self.assertEqual(m["onnxgen_kv_blocks_used"], 0)
        self.assertEqual(m["onnxgen_num_sequences_running"], 0)
        generated = m["onnxgen_engine_generated_tokens_total"] - before
        self.assertLess(generated, body["n"] * body["max_tokens"],
                        "the request ran to its end instead of being cancelled")


class Timeout(ServerTestCase):
    # Far below the time LONG takes even on a fast machine (hundreds of graph runs). On the
    # fixture model they got fast enough to finish within a 5 ms timeout about once in 60 runs
    # (both cases of one server then failed); 0.5 ms failed none of 80.
    server_args = ("--request-timeout", "0.0005", "--max-num-seqs", "1", "--max-batch-tokens", "1")

    def test_non_streamed_request_times_out(self):
        status, _, data = self.server.request("POST", "/v1/completions", json.dumps(LONG).encode())
        err = self.assertApiError(status, json.loads(data), 504)
        self.assertEqual(err["code"], "timeout")

    def test_streamed_request_times_out(self):
        conn, resp = open_stream(self.server, LONG)
        events, done = read_events(resp)
        conn.close()
        self.assertTrue(done)
        self.assertEqual(events[-1]["error"]["code"], "timeout")


class Shutdown(unittest.TestCase):
    def run_until_sigterm(self, *args):
        server = ServerProcess(*args)
        try:
            conn, resp = open_stream(server, LONG)
            self.assertEqual(resp.status, 200)
            first = resp.read(16)  # the stream has started
            server.proc.send_signal(signal.SIGTERM)
            time.sleep(0.05)
            try:
                status = server.request("GET", "/health", timeout=5)[0]
                self.assertIn(status, (503, 200))  # 200 only if the stream already finished
            except OSError:
                pass  # already closed
            events, done = parse_sse((first + resp.read()).decode())
            conn.close()
            code = server.proc.wait(30)
            return events, done, code, server.logs()
        finally:
            if server.proc.poll() is None:
                server.proc.kill()
            server.cleanup()

    def test_in_flight_request_finishes_then_exit_0(self):
        events, done, code, logs = self.run_until_sigterm("--shutdown-grace", "30")
        self.assertEqual(code, 0, logs)
        self.assertTrue(done)
        self.assertEqual(events[-1]["choices"][0]["finish_reason"], "length")

    def test_past_the_grace_period_requests_are_cancelled(self):
        events, done, code, logs = self.run_until_sigterm("--shutdown-grace", "0", "--max-batch-tokens", "16")
        self.assertEqual(code, 0, logs)
        self.assertTrue(done)
        # Cancelled: the choice ends with "abort", then an error event says why.
        finish = [e["choices"][0]["finish_reason"] for e in events if e.get("choices")][-1]
        self.assertIn(finish, ("abort", "length"))
        if finish == "abort":
            self.assertEqual(events[-1]["error"]["code"], "shutdown")


if __name__ == "__main__":
    server_harness.main()
