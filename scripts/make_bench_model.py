#!/usr/bin/env python3
"""Builds a random-weight model with Qwen2.5-0.5B-Instruct's shapes (24 layers, hidden 896, 14
query and 2 KV heads of 64, MLP 4864, vocabulary 151,936, tied embeddings) and exports it with
onnxruntime-genai's model builder, for decode-speed figures where the real weights cannot be
fetched or staged (scripts/gpu_check.sh runs it on the GPU machine). Its outputs are noise:
time it, never read it. The tokenizer is a fixture's; bench feeds ids, so it is never consulted.

  scripts/make_bench_model.py OUT_DIR [--precision fp16|fp32] [--layers N]

Needs torch, transformers and onnxruntime-genai (the builder).
"""
import argparse
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOKENIZER_FROM = REPO / "tests" / "fixtures" / "models" / "qwen2-genai-fp32"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--precision", choices=["fp16", "fp32"], default="fp16")
    ap.add_argument("--layers", type=int, default=24)
    args = ap.parse_args()

    import torch
    import transformers

    torch.manual_seed(0)
    config = transformers.Qwen2Config(
        hidden_size=896, intermediate_size=4864, num_hidden_layers=args.layers, num_attention_heads=14,
        num_key_value_heads=2, vocab_size=151936, max_position_embeddings=32768, rope_theta=1000000.0,
        rms_norm_eps=1e-6, tie_word_embeddings=True, use_sliding_window=False, torch_dtype="float16")
    model = transformers.Qwen2ForCausalLM(config).eval()
    hf_dir = args.out.parent / (args.out.name + "-hf")
    model.save_pretrained(hf_dir, safe_serialization=True)
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(TOKENIZER_FROM / f, hf_dir / f)
    # The builder has no fp16 CPU target; its CUDA fp16 graph is what onnxgen runs on cuda anyway.
    ep = "cuda" if args.precision == "fp16" else "cpu"
    subprocess.run([sys.executable, "-m", "onnxruntime_genai.models.builder", "-i", str(hf_dir), "-o",
                    str(args.out), "-p", args.precision, "-e", ep, "-c", str(hf_dir / "cache")], check=True)
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(TOKENIZER_FROM / f, args.out / f)
    shutil.rmtree(hf_dir)


if __name__ == "__main__":
    main()
