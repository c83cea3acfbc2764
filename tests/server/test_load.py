"""Many clients at once: 64 concurrent streams of mixed lengths, each well formed and complete,
and batch invariance (a greedy request's text does not depend on what else is batched with it)."""

import json
import threading

import server_harness
from server_harness import MODEL_NAME, ServerTestCase

WORDS = "the king of shakespeare spoke to his lords and ladies of the court in verse".split()


def request(i):
    """Request i of the load: chat or completion, prompt and length varying with i."""
    prompt = " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(1 + (i * 13) % 40))
    body = {"model": MODEL_NAME, "max_tokens": 1 + (i * 37) % 64, "ignore_eos": True, "temperature": 0,
            "stream": True, "stream_options": {"include_usage": True}}
    if i % 2:
        return "/v1/chat/completions", dict(body, messages=[{"role": "user", "content": prompt}])
    return "/v1/completions", dict(body, prompt=prompt)


class Load(ServerTestCase):
    def run_concurrently(self, requests):
        results = [None] * len(requests)

        def worker(k):
            path, body = requests[k]
            try:
                results[k] = self.server.stream(path, body)
            except Exception as e:  # reported below, per request
                results[k] = e

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(len(requests))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        return results

    def test_64_concurrent_streams(self):
        requests = [request(i) for i in range(64)]
        results = self.run_concurrently(requests)
        for (path, body), result in zip(requests, results):
            with self.subTest(body=body):
                self.assertNotIsInstance(result, Exception)
                status, events, done = result
                self.assertEqual(status, 200, events)
                self.assertTrue(done, "stream ended without [DONE]")
                *chunks, usage = events
                self.assertEqual(usage["choices"], [])
                self.assertEqual(usage["usage"]["completion_tokens"], body["max_tokens"])
                self.assertEqual(len({c["id"] for c in chunks}), 1)
                finishes = [c["choices"][0]["finish_reason"] for c in chunks]
                self.assertEqual(finishes[-1], "length")
                self.assertTrue(all(f is None for f in finishes[:-1]))
        m = self.server.wait_idle()
        self.assertEqual(m["onnxgen_kv_blocks_used"], 0)
        self.assertGreaterEqual(m['onnxgen_http_requests_total{endpoint="/v1/completions",status="200"}'], 32)

    def test_batch_invariance(self):
        probe = ("/v1/completions", {"model": MODEL_NAME, "prompt": "Now is the winter of our discontent",
                                     "max_tokens": 48, "ignore_eos": True, "temperature": 0})
        alone = self.server.post_json(*probe)[2]["choices"][0]["text"]
        others = [request(i) for i in range(100, 115)]
        # Non-streamed probe among 15 streamed neighbours of other prompts and lengths.
        results = self.run_concurrently(others + [(probe[0], dict(probe[1], stream=True))])
        status, events, done = results[-1]
        self.assertEqual(status, 200)
        self.assertEqual("".join(e["choices"][0]["text"] for e in events), alone)
        for r in results[:-1]:
            self.assertTrue(r[2])


if __name__ == "__main__":
    server_harness.main()
