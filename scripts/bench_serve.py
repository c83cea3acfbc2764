#!/usr/bin/env python3
"""Serving benchmark: `onnxgen serve` under 1, 4 and 16 concurrent streaming clients.

Reports time to first token, time per output token and end-to-end latency (p50/p99) and the
aggregate generated tokens/s per concurrency. The model is shaped like SmolLM2-135M (hidden 576,
30 layers, 9 query / 3 KV heads, MLP 1536) with random weights and the GPT-2 tokenizer of
../shared (vocabulary 50,257, against SmolLM2's 49,152); it is built once with transformers and
onnxruntime-genai's model builder (run in .venv, scripts/oracle_venv.sh --full) and never
committed.

    .venv/bin/python scripts/bench_serve.py [--binary build/cli/onnxgen] [--requests 32] [--max-tokens 64]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import http.client
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMOLLM2_135M = dict(hidden_size=576, intermediate_size=1536, num_hidden_layers=30, num_attention_heads=9,
                    num_key_value_heads=3, max_position_embeddings=2048, rms_norm_eps=1e-5, rope_theta=100000.0,
                    tie_word_embeddings=True, vocab_size=50257, bos_token_id=50256, eos_token_id=50256)


def build_model(out: Path, work: Path):
    import torch
    import transformers
    tok_dir = ROOT.parent / "shared" / "tokenizers" / "gpt2"
    if not (tok_dir / "tokenizer.json").exists():
        sys.exit(f"bench_serve: needs the GPT-2 tokenizer in {tok_dir}")
    hf = work / "hf"
    torch.manual_seed(0)
    model = transformers.LlamaForCausalLM(transformers.LlamaConfig(**SMOLLM2_135M)).eval()
    model.save_pretrained(hf, safe_serialization=True)
    for f in tok_dir.iterdir():
        if f.name.startswith("tokenizer"):
            shutil.copy(f, hf / f.name)
    subprocess.run([sys.executable, "-m", "onnxruntime_genai.models.builder", "-i", str(hf), "-o", str(out),
                    "-p", "fp32", "-e", "cpu", "-c", str(work / "cache")], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for f in tok_dir.iterdir():
        if f.name.startswith("tokenizer"):
            shutil.copy(f, out / f.name)


def stream_one(port, prompt, max_tokens):
    """One streamed completion → (ttft, per-token gaps after the first, e2e, tokens)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    body = {"prompt": prompt, "max_tokens": max_tokens, "ignore_eos": True, "temperature": 0, "stream": True,
            "stream_options": {"include_usage": True}}
    start = time.perf_counter()
    conn.request("POST", "/v1/completions", json.dumps(body), {"Content-Type": "application/json"})
    resp = conn.getresponse()
    assert resp.status == 200, resp.read()
    first, tokens = None, 0
    for line in resp:
        line = line.strip()
        if not line.startswith(b"data: ") or line == b"data: [DONE]":
            continue
        event = json.loads(line[6:])
        if event.get("usage"):
            tokens = event["usage"]["completion_tokens"]
        elif event["choices"] and first is None:
            first = time.perf_counter()
    end = time.perf_counter()
    conn.close()
    return first - start, (end - first) / max(1, tokens - 1), end - start, tokens


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run_level(port, concurrency, requests, max_tokens):
    prompts = [f"Request {i}: tell me a story about the sea and the stars, number {i}." for i in range(requests)]
    results, lock, next_index = [], threading.Lock(), [0]

    def client():
        while True:
            with lock:
                if next_index[0] >= len(prompts):
                    return
                i = next_index[0]
                next_index[0] += 1
            r = stream_one(port, prompts[i], max_tokens)
            with lock:
                results.append(r)

    start = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    ttft, tpot, e2e, tokens = zip(*results)
    return {"concurrency": concurrency, "ttft": ttft, "tpot": tpot, "e2e": e2e, "tok_s": sum(tokens) / wall}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=str(ROOT / "build" / "cli" / "onnxgen"))
    ap.add_argument("--model", type=Path, default=ROOT / "build" / "bench" / "smollm2-135m-shape")
    ap.add_argument("--requests", type=int, default=32, help="requests per concurrency level")
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()

    if not (args.model / "genai_config.json").exists():
        print(f"bench_serve: building the SmolLM2-135M-shaped model into {args.model}", file=sys.stderr)
        build_model(args.model, args.model.parent / "work")

    server = subprocess.Popen([args.binary, "serve", str(args.model), "--port", "0", "--threads", str(args.threads)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = int(re.search(r":(\d+)\s*$", server.stdout.readline()).group(1))
        stream_one(port, "warm up", 8)
        print(f"| concurrency | TTFT p50 / p99 (ms) | TPOT p50 / p99 (ms) | e2e p50 / p99 (s) | tokens/s |")
        print(f"| --- | --- | --- | --- | --- |")
        base = None
        for level in (1, 4, 16):
            r = run_level(port, level, args.requests, args.max_tokens)
            base = base or r["tok_s"]
            print(f"| {level} | {percentile(r['ttft'], 50) * 1e3:.0f} / {percentile(r['ttft'], 99) * 1e3:.0f} "
                  f"| {percentile(r['tpot'], 50) * 1e3:.1f} / {percentile(r['tpot'], 99) * 1e3:.1f} "
                  f"| {percentile(r['e2e'], 50):.2f} / {percentile(r['e2e'], 99):.2f} "
                  f"| {r['tok_s']:.1f} ({r['tok_s'] / base:.1f}x) |", flush=True)
    finally:
        server.terminate()
        server.wait(60)


if __name__ == "__main__":
    main()
