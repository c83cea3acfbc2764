"""The official `openai` Python client against the server: chat and completions, streamed and not.

Needs the `openai` package: run by a python that has it, or re-run under the CI virtualenv
(.venv-ci, made by scripts/test.sh); skipped (exit 77) when neither has it."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    import openai
except ImportError:
    venv = os.path.realpath(os.path.join(HERE, "..", "..", ".venv-ci"))
    venv_python = os.path.join(venv, "bin", "python")
    if os.path.exists(venv_python) and os.path.realpath(sys.prefix) != venv:
        os.execv(venv_python, [venv_python, *sys.argv])
    print("SKIP: the openai package is not installed (scripts/test.sh makes .venv-ci with it)")
    sys.exit(77)

import server_harness
from server_harness import MODEL_NAME, ServerTestCase


class OpenAIClient(ServerTestCase):
    server_args = ("--api-key", "test-key")

    def setUp(self):
        self.client = openai.OpenAI(base_url="http://127.0.0.1:%d/v1" % self.server.port, api_key="test-key",
                                    max_retries=0)

    def test_models(self):
        self.assertEqual([m.id for m in self.client.models.list()], [MODEL_NAME])

    def test_chat(self):
        r = self.client.chat.completions.create(model=MODEL_NAME, messages=[{"role": "user", "content": "Hi"}],
                                                max_tokens=12, temperature=0, extra_body={"ignore_eos": True})
        self.assertEqual(r.choices[0].message.role, "assistant")
        self.assertEqual(r.choices[0].finish_reason, "length")
        self.assertEqual(r.usage.completion_tokens, 12)
        stream = self.client.chat.completions.create(
            model=MODEL_NAME, messages=[{"role": "user", "content": "Hi"}], max_tokens=12, temperature=0,
            stream=True, stream_options={"include_usage": True}, extra_body={"ignore_eos": True})
        chunks = list(stream)
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        self.assertEqual(text, r.choices[0].message.content)
        self.assertEqual(chunks[-1].usage.completion_tokens, 12)

    def test_completions(self):
        r = self.client.completions.create(model=MODEL_NAME, prompt=["To be", "or not"], max_tokens=6, n=2,
                                           temperature=0.8, seed=7)
        self.assertEqual(len(r.choices), 4)
        self.assertEqual(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens)
        stream = self.client.completions.create(model=MODEL_NAME, prompt="To be", max_tokens=6, temperature=0,
                                                stream=True)
        finishes = [c.choices[0].finish_reason for c in stream]
        self.assertIn(finishes[-1], ("length", "stop"))

    def test_errors_raise_the_clients_exceptions(self):
        with self.assertRaises(openai.BadRequestError) as e:
            self.client.completions.create(model=MODEL_NAME, prompt="x", temperature=5)
        self.assertEqual(e.exception.body["param"], "temperature")
        with self.assertRaises(openai.NotFoundError):
            self.client.completions.create(model="gpt-4", prompt="x")
        bad_key = openai.OpenAI(base_url=self.client.base_url, api_key="wrong", max_retries=0)
        with self.assertRaises(openai.AuthenticationError):
            bad_key.models.list()


if __name__ == "__main__":
    server_harness.main()
