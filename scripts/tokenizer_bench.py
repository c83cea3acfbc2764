#!/usr/bin/env python3
"""Encode throughput, one thread, of onnxgen's tokenizer and the Rust `tokenizers` package side
by side in the same run, on ../shared/data/tinyshakespeare.txt (the issue's benchmark).

    .venv/bin/python scripts/tokenizer_bench.py BUILD_DIR [MODEL ...]

BUILD_DIR holds tokenizer/onnxgen_tokenizer_bench. Numbers are MB/s of UTF-8 input: "whole" is
the file as one string (best of N after a first, cache-filling pass), "cold" that first pass,
"lines" one call per line.
"""
import json
import os
import pathlib
import subprocess
import sys
import time

os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"

from tokenizers import Tokenizer  # noqa: E402 - the thread limits must be set before import

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REPEATS = 3


def best(fn, repeats=REPEATS):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def rust(model, text):
    start = time.perf_counter()
    tok = Tokenizer.from_file(str(SHARED / "tokenizers" / model / "tokenizer.json"))
    load = time.perf_counter() - start
    mb = len(text.encode()) / 1e6
    cold = best(lambda: tok.encode(text, add_special_tokens=False), 1)
    whole = best(lambda: tok.encode(text, add_special_tokens=False))
    lines = text.splitlines(keepends=True)
    per_line = best(lambda: [tok.encode(line, add_special_tokens=False) for line in lines])
    tokens = len(tok.encode(text, add_special_tokens=False).ids)
    return {"load_s": load, "tokens": tokens, "encode_cold_mb_s": mb / cold, "encode_mb_s": mb / whole,
            "encode_lines_mb_s": mb / per_line}


def main():
    build = pathlib.Path(sys.argv[1])
    models = sys.argv[2:] or ["llama3", "gemma3"]
    data = SHARED / "data" / "tinyshakespeare.txt"
    text = data.read_text()
    print(f"{'model':8} {'impl':10} {'load s':>7} {'tokens':>8} {'cold':>7} {'whole':>7} {'lines':>7}  (MB/s)")
    for model in models:
        out = subprocess.run([str(build / "tokenizer" / "onnxgen_tokenizer_bench"), str(SHARED / "tokenizers" / model),
                              str(data), str(REPEATS)], check=True, capture_output=True, text=True).stdout
        ours = json.loads(out)
        theirs = rust(model, text)
        for name, r in (("onnxgen", ours), ("tokenizers", theirs)):
            print(f"{model:8} {name:10} {r['load_s']:7.2f} {r['tokens']:8d} {r['encode_cold_mb_s']:7.2f} "
                  f"{r['encode_mb_s']:7.2f} {r['encode_lines_mb_s']:7.2f}")


if __name__ == "__main__":
    main()
