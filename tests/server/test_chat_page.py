"""GET / in headless Chromium: the page loads, sends one message through /v1/chat/completions
(streamed) and shows the reply. Chromium is driven over the DevTools protocol on a pipe, so the
test waits for the page's own "done" state rather than guessing a time. Skipped (exit 77)
without Debian's `chromium`."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import server_harness
from server_harness import ServerTestCase


class DevTools:
    """Chromium with --remote-debugging-pipe: we write commands to its fd 3, read replies on fd 4."""

    def __init__(self, browser, url):
        self.profile = tempfile.mkdtemp(prefix="onnxgen-chromium-")
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()
        # The child sees our pipe ends as its fds 3 (commands in) and 4 (replies out). close_fds
        # would run after preexec_fn and close them again, hence close_fds=False.
        def child_fds():
            # Fresh copies first, so placing one cannot overwrite the other.
            read_end, write_end = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)
        self.proc = subprocess.Popen(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--user-data-dir=" + self.profile, url],
            close_fds=False, preexec_fn=child_fds,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer = b""
        self.next_id = 0
        self.session = None

    def call(self, method, **params):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if self.session:
            message["sessionId"] = self.session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self.buffer:
                chunk = os.read(self.from_browser, 65536)
                if not chunk:
                    raise RuntimeError("chromium closed the DevTools pipe")
                self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply["result"]

    def attach_to_page(self):
        deadline = time.time() + 30
        while time.time() < deadline:
            pages = [t for t in self.call("Target.getTargets")["targetInfos"] if t["type"] == "page"]
            if pages:
                self.session = self.call("Target.attachToTarget", targetId=pages[0]["targetId"], flatten=True)["sessionId"]
                return
            time.sleep(0.1)
        raise RuntimeError("chromium opened no page")

    def evaluate(self, expression):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def close(self):
        self.proc.kill()
        self.proc.wait()
        os.close(self.to_browser)
        os.close(self.from_browser)
        shutil.rmtree(self.profile, ignore_errors=True)


class ChatPage(ServerTestCase):
    def test_sends_a_message_and_shows_the_streamed_reply(self):
        browser = shutil.which("chromium") or shutil.which("chromium-browser")
        url = "http://127.0.0.1:%d/?temperature=0&max_tokens=16&message=Hello%%20there" % self.server.port
        devtools = DevTools(browser, url)
        try:
            devtools.attach_to_page()
            deadline = time.time() + 60
            while devtools.evaluate("document.body && document.body.dataset.state") != "done":
                self.assertLess(time.time(), deadline, "the page never finished its reply")
                time.sleep(0.1)
            page = devtools.evaluate("""(() => {
                const reply = document.querySelector('.msg.assistant');
                return {user: document.querySelector('.msg.user').textContent,
                        errors: document.querySelectorAll('.msg.error').length,
                        finish: reply.dataset.finish, meta: reply.querySelector('.meta').textContent,
                        model: document.getElementById('model').textContent};
            })()""")
        finally:
            devtools.close()
        self.assertEqual(page["user"], "Hello there")
        self.assertEqual(page["errors"], 0)
        self.assertIn(page["finish"], ("length", "stop"))
        self.assertRegex(page["meta"], r"^([1-9]|1[0-6]) tokens in ")
        self.assertIn(server_harness.MODEL_NAME, page["model"])


if __name__ == "__main__":
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        print("SKIP: chromium is not installed (apt-get install chromium)")
        sys.exit(77)
    server_harness.main()
