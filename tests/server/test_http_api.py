"""The HTTP API over raw HTTP (standard library only): every endpoint, the response shapes, and
every error a client can provoke."""

import json
import unittest

import server_harness
from server_harness import MODEL_NAME, ServerTestCase

CONTEXT = 256  # the fixture's context length
VOCAB = 512


def completion(prompt="Hello there", **extra):
    return {"model": MODEL_NAME, "prompt": prompt, "max_tokens": 8, "temperature": 0, **extra}


def chat(content="Hello there", **extra):
    return {"model": MODEL_NAME, "messages": [{"role": "user", "content": content}], "max_tokens": 8,
            "temperature": 0, **extra}


class Endpoints(ServerTestCase):
    def test_health_models_and_page(self):
        status, _, body = self.server.request("GET", "/health")
        self.assertEqual(status, 200)
        status, _, body = self.server.request("GET", "/v1/models")
        self.assertEqual(status, 200)
        models = json.loads(body)
        self.assertEqual(models["object"], "list")
        self.assertEqual(models["data"][0]["id"], MODEL_NAME)
        self.assertEqual(models["data"][0]["max_model_len"], CONTEXT)
        status, headers, body = self.server.request("GET", "/")
        self.assertEqual(status, 200)
        self.assertIn("text/html", headers["content-type"])
        self.assertIn(b"/v1/chat/completions", body)

    def test_completion_usage_and_length(self):
        status, _, tokens = self.server.post_json("/tokenize", {"prompt": "Hello there"})
        self.assertEqual(status, 200)
        status, _, body = self.server.post_json("/v1/completions", completion(max_tokens=12, ignore_eos=True))
        self.assertEqual(status, 200, body)
        self.assertEqual(body["object"], "text_completion")
        self.assertTrue(body["id"].startswith("cmpl-"))
        self.assertEqual(body["model"], MODEL_NAME)
        (choice,) = body["choices"]
        self.assertEqual(choice["index"], 0)
        self.assertEqual(choice["finish_reason"], "length")
        self.assertIsInstance(choice["text"], str)
        usage = body["usage"]
        self.assertEqual(usage["prompt_tokens"], tokens["count"])
        self.assertEqual(usage["completion_tokens"], 12)
        self.assertEqual(usage["total_tokens"], tokens["count"] + 12)
        self.assertIn("cached_tokens", usage["prompt_tokens_details"])

    def test_prompt_forms_and_n(self):
        status, _, ids = self.server.post_json("/tokenize", {"prompt": "To be or not"})
        for prompt, prompts in [("To be or not", 1), (["To be", "or not"], 2), (ids["tokens"], 1),
                                ([ids["tokens"], [5, 6, 7]], 2)]:
            status, _, body = self.server.post_json("/v1/completions", completion(prompt, n=2, temperature=1, seed=3))
            self.assertEqual(status, 200, body)
            self.assertEqual(sorted(c["index"] for c in body["choices"]), list(range(2 * prompts)))
        # A string prompt and its token ids are the same prompt: same greedy text.
        texts = [self.server.post_json("/v1/completions", completion(p))[2]["choices"][0]["text"]
                 for p in ("To be or not", ids["tokens"])]
        self.assertEqual(texts[0], texts[1])

    def test_stream_matches_non_stream(self):
        _, _, whole = self.server.post_json("/v1/completions", completion(max_tokens=20))
        status, events, done = self.server.stream("/v1/completions", completion(
            max_tokens=20, stream=True, stream_options={"include_usage": True}))
        self.assertEqual(status, 200)
        self.assertTrue(done)
        *chunks, last = events
        self.assertEqual(last["choices"], [])
        self.assertEqual(last["usage"], whole["usage"] | {"prompt_tokens_details": last["usage"]["prompt_tokens_details"]})
        text = "".join(c["choices"][0]["text"] for c in chunks)
        self.assertEqual(text, whole["choices"][0]["text"])
        self.assertEqual(chunks[-1]["choices"][0]["finish_reason"], whole["choices"][0]["finish_reason"])
        for c in chunks:
            self.assertEqual(c["object"], "text_completion")
            self.assertIsNone(c["usage"])
            self.assertEqual(c["id"], chunks[0]["id"])

    def test_chat(self):
        status, _, body = self.server.post_json("/v1/chat/completions", chat(max_tokens=10))
        self.assertEqual(status, 200, body)
        self.assertEqual(body["object"], "chat.completion")
        message = body["choices"][0]["message"]
        self.assertEqual(message["role"], "assistant")
        status, events, done = self.server.stream("/v1/chat/completions", chat(max_tokens=10, stream=True))
        self.assertTrue(done)
        self.assertEqual(events[0]["choices"][0]["delta"]["role"], "assistant")
        text = "".join(e["choices"][0]["delta"].get("content", "") for e in events)
        self.assertEqual(text, message["content"])
        self.assertEqual(events[-1]["choices"][0]["finish_reason"], body["choices"][0]["finish_reason"])
        self.assertTrue(all(e["object"] == "chat.completion.chunk" for e in events))
        # Text parts are content too; the template sees the same conversation.
        parts = chat(max_tokens=10)
        parts["messages"][0]["content"] = [{"type": "text", "text": "Hello "}, {"type": "text", "text": "there"}]
        self.assertEqual(self.server.post_json("/v1/chat/completions", parts)[2]["choices"][0]["message"], message)

    def test_stop_string(self):
        _, _, body = self.server.post_json("/v1/completions", completion(max_tokens=40, ignore_eos=True))
        text = body["choices"][0]["text"]
        stop = text[len(text) // 2:len(text) // 2 + 3]
        self.assertTrue(stop.strip(), "the fixture generated blank text: %r" % text)
        _, _, stopped = self.server.post_json("/v1/completions", completion(max_tokens=40, ignore_eos=True, stop=[stop]))
        choice = stopped["choices"][0]
        self.assertEqual(choice["finish_reason"], "stop")
        self.assertEqual(choice["text"], text[:text.index(stop)])

    def test_seed_reproducible(self):
        request = completion(max_tokens=16, temperature=1.0, top_p=0.9, seed=1234)
        first = self.server.post_json("/v1/completions", request)[2]["choices"][0]["text"]
        second = self.server.post_json("/v1/completions", request)[2]["choices"][0]["text"]
        self.assertEqual(first, second)

    def test_logprobs(self):
        _, _, body = self.server.post_json("/v1/chat/completions", chat(logprobs=True, top_logprobs=3, ignore_eos=True))
        content = body["choices"][0]["logprobs"]["content"]
        self.assertEqual(len(content), body["usage"]["completion_tokens"])
        for token in content:
            self.assertLessEqual(token["logprob"], 0)
            self.assertEqual(len(token["top_logprobs"]), 3)
            # Greedy: the chosen token is the most likely one.
            self.assertAlmostEqual(token["logprob"], token["top_logprobs"][0]["logprob"], places=4)
        _, _, body = self.server.post_json("/v1/completions", completion(logprobs=2, ignore_eos=True))
        lp = body["choices"][0]["logprobs"]
        self.assertEqual(len(lp["tokens"]), 8)
        self.assertEqual(len(lp["token_logprobs"]), 8)
        self.assertTrue(all(len(t) <= 2 for t in lp["top_logprobs"]))
        self.assertEqual(lp["text_offset"][0], 0)

    def test_prefix_cache_reports_cached_tokens(self):
        prompt = "The quick brown fox jumps over the lazy dog. " * 4
        self.server.post_json("/v1/completions", completion(prompt))
        _, _, body = self.server.post_json("/v1/completions", completion(prompt))
        self.assertGreater(body["usage"]["prompt_tokens_details"]["cached_tokens"], 0)

    def test_tokenize_detokenize(self):
        status, _, body = self.server.post_json("/tokenize", {"prompt": "Hello world", "add_special_tokens": False})
        self.assertEqual(status, 200)
        self.assertEqual(body["count"], len(body["tokens"]))
        self.assertEqual(body["max_model_len"], CONTEXT)
        status, _, text = self.server.post_json("/detokenize", {"tokens": body["tokens"]})
        self.assertEqual(text["prompt"], "Hello world")
        status, _, rendered = self.server.post_json("/tokenize", {"messages": [{"role": "user", "content": "hi"}]})
        self.assertEqual(status, 200)
        _, _, text = self.server.post_json("/detokenize", {"tokens": rendered["tokens"]})
        self.assertEqual(text["prompt"], "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n")

    def test_unknown_fields_ignored(self):
        status, _, body = self.server.post_json("/v1/completions", completion(user="me", some_future_field={"x": 1}))
        self.assertEqual(status, 200, body)

    def test_metrics(self):
        self.server.post_json("/v1/completions", completion())
        status, headers, body = self.server.request("GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertIn("text/plain", headers["content-type"])
        text = body.decode()
        for name in ["onnxgen_http_requests_total{endpoint=\"/v1/completions\",status=\"200\"}",
                     "onnxgen_prompt_tokens_total", "onnxgen_generation_tokens_total",
                     "onnxgen_time_to_first_token_seconds_bucket", "onnxgen_time_per_output_token_seconds_count",
                     "onnxgen_num_sequences_running", "onnxgen_num_sequences_waiting", "onnxgen_kv_blocks_used",
                     "onnxgen_kv_blocks_free", "onnxgen_prefix_cache_hit_rate", "onnxgen_preemptions_total"]:
            self.assertIn(name, text)
        m = self.server.metrics()
        self.assertGreater(m["onnxgen_generation_tokens_total"], 0)
        self.assertGreater(m["onnxgen_kv_blocks_free"], 0)


class Errors(ServerTestCase):
    def post(self, path, body, **kw):
        return self.server.post_json(path, body, **kw)

    def test_malformed_json(self):
        status, _, data = self.server.request("POST", "/v1/completions", b"{not json")
        self.assertApiError(status, json.loads(data), 400)
        status, _, data = self.server.request("POST", "/v1/chat/completions", b"[1, 2]")
        self.assertApiError(status, json.loads(data), 400)

    def test_bad_parameters(self):
        cases = [
            (chat(temperature=3), "temperature"),
            (chat(temperature="hot"), "temperature"),
            (chat(top_p=0), "top_p"),
            (chat(max_tokens=0), "max_tokens"),
            (chat(max_tokens="many"), "max_tokens"),
            (chat(n=0), "n"),
            (chat(presence_penalty=5), "presence_penalty"),
            (chat(stop=[1, 2]), "stop"),
            (chat(logit_bias={"x": 1}), "logit_bias"),
            (chat(logit_bias={"5": 500}), "logit_bias"),
            (chat(top_logprobs=3), "top_logprobs"),
            (chat(stream="yes"), "stream"),
            ({"model": MODEL_NAME}, "messages"),
            ({"messages": []}, "messages"),
            ({"messages": [{"content": "no role"}]}, "messages"),
            (chat([{"type": "image_url", "image_url": {"url": "http://x/y.png"}}]), "messages"),
        ]
        for body, param in cases:
            with self.subTest(body=body):
                status, _, data = self.post("/v1/chat/completions", body)
                self.assertApiError(status, data, 400, param)
        for body, param in [({"max_tokens": 4}, "prompt"), (completion([]), "prompt"), (completion([[1], "x", 3]), "prompt"),
                            (completion([1, VOCAB]), "prompt"), (completion([-1]), "prompt"),
                            (completion(logprobs=50), "logprobs")]:
            with self.subTest(body=body):
                status, _, data = self.post("/v1/completions", body)
                self.assertApiError(status, data, 400, param)

    def test_prompt_longer_than_context(self):
        status, _, data = self.post("/v1/completions", completion([5] * 300))
        err = self.assertApiError(status, data, 400)
        self.assertIn(str(CONTEXT), err["message"])
        self.assertIn("300", err["message"])
        self.assertEqual(err["code"], "context_length_exceeded")
        status, _, data = self.post("/v1/completions", completion([5] * 200, max_tokens=100))
        err = self.assertApiError(status, data, 400, "max_tokens")
        self.assertIn("200", err["message"])
        self.assertIn(str(CONTEXT), err["message"])

    def test_unknown_model_and_route(self):
        status, _, data = self.post("/v1/completions", completion(model="gpt-4"))
        self.assertEqual(self.assertApiError(status, data, 404, "model")["code"], "model_not_found")
        status, _, data = self.server.request("GET", "/v1/nothing-here")
        self.assertApiError(status, json.loads(data), 404)

    def test_body_too_large(self):
        big = b'{"prompt": "' + b"a" * (9 << 20) + b'"}'
        try:
            status, _, data = self.server.request("POST", "/v1/completions", big)
        except (ConnectionResetError, BrokenPipeError):
            self.skipTest("the server closed the connection before the client finished sending")
        self.assertApiError(status, json.loads(data), 413)

    def test_detokenize_out_of_vocabulary(self):
        status, _, data = self.post("/detokenize", {"tokens": [1, 99999]})
        self.assertApiError(status, data, 400, "tokens")


class ApiKey(ServerTestCase):
    server_args = ("--api-key", "sekrit")

    def test_key_required_on_api(self):
        body = completion()
        status, _, data = self.server.post_json("/v1/completions", body)
        self.assertEqual(self.assertApiError(status, data, 401)["code"], "invalid_api_key")
        status, _, data = self.server.post_json("/v1/completions", body, {"Authorization": "Bearer wrong"})
        self.assertApiError(status, data, 401)
        status, _, data = self.server.post_json("/tokenize", {"prompt": "x"})
        self.assertApiError(status, data, 401)
        status, _, data = self.server.post_json("/v1/completions", body, {"Authorization": "Bearer sekrit"})
        self.assertEqual(status, 200, data)
        self.assertEqual(self.server.request("GET", "/health")[0], 200)
        self.assertEqual(self.server.request("GET", "/metrics")[0], 200)


if __name__ == "__main__":
    server_harness.main()
