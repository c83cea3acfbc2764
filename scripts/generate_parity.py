#!/usr/bin/env python3
"""Generation parity: `onnxgen generate --output ids` against onnxruntime-genai's generator.

For every onnxruntime-genai model given (default: ../shared/models/gpt2-tiny-random and the
genai fixtures under tests/fixtures/models), runs greedy search and beam search at batch 1 and
batch 3 and checks the returned sequences are identical. Batch-3 rows have equal lengths: with
unequal rows onnxruntime-genai's left padding changes some models' outputs (its padded row no
longer matches the same row run alone), while onnxgen runs each row unpadded; `--padded` also
runs an unequal batch and reports, without failing, where onnxruntime-genai's padded rows differ
from its own unpadded runs.

Exit status: 0 all identical, 1 a mismatch, 77 onnxruntime-genai unavailable (ctest: skipped).
"""
import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROMPTS = [[12, 40, 7, 99, 3, 41], [5, 17, 230, 8, 61, 9], [301, 2, 77, 15, 4, 120]]
CASES = [  # (name, rows, search options)
    ("greedy b1", PROMPTS[:1], dict(do_sample=False)),
    ("greedy b3", PROMPTS, dict(do_sample=False)),
    ("beam4 b1", PROMPTS[:1], dict(do_sample=False, num_beams=4, num_return_sequences=2, length_penalty=1.0)),
    ("beam4 b3", PROMPTS, dict(do_sample=False, num_beams=4, num_return_sequences=1, length_penalty=1.0)),
]


def genai_sequences(og, model, rows, max_length, options):
    import numpy as np
    params = og.GeneratorParams(model)
    params.set_search_options(max_length=max_length, batch_size=len(rows), **options)
    gen = og.Generator(model, params)
    pad = model_pad(model)
    width = max(len(r) for r in rows)
    gen.append_tokens(np.array([[pad] * (width - len(r)) + r for r in rows], dtype=np.int32))
    while not gen.is_done():
        gen.generate_next_token()
    count = len(rows) * options.get("num_return_sequences", 1)
    return [list(map(int, gen.get_sequence(i))) for i in range(count)]


_PAD = {}


def model_pad(model):
    return _PAD.get(id(model), 0)


def onnxgen_sequences(binary, model_dir, rows, max_length, options):
    cmd = [str(binary), "generate", str(model_dir), "--max-length", str(max_length), "--output", "ids", "--greedy"]
    for r in rows:
        cmd += ["--input-ids", ",".join(map(str, r))]
    if options.get("num_beams", 1) > 1:
        cmd += ["--num-beams", str(options["num_beams"]), "--num-return-sequences",
                str(options.get("num_return_sequences", 1)), "--length-penalty", str(options.get("length_penalty", 1.0))]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stderr}")
    return [list(map(int, line.split(","))) for line in out.stdout.split()]


def same(genai_row, ours, pad):
    """onnxruntime-genai pads rows that finished early with the pad id up to the longest row."""
    if genai_row[:len(ours)] != ours:
        return False
    return all(t == pad for t in genai_row[len(ours):])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--onnxgen", default=ROOT / "build" / "cli" / "onnxgen")
    ap.add_argument("--max-length", type=int, default=20)
    ap.add_argument("--padded", action="store_true", help="also report onnxruntime-genai's unequal-batch behaviour")
    ap.add_argument("models", nargs="*")
    args = ap.parse_args()
    try:
        import onnxruntime_genai as og
    except ImportError:
        print("SKIP: onnxruntime-genai is not installed (scripts/oracle_venv.sh --full)")
        return 77
    import json
    models = [Path(m) for m in args.models]
    if not models:
        shared = ROOT.parent / "shared" / "models" / "gpt2-tiny-random"
        if shared.exists():
            models.append(shared)
        models += sorted(p for p in (ROOT / "tests" / "fixtures" / "models").glob("*-genai-*") if p.is_dir())
    failures = 0
    print(f"{'model':28} {'case':10} result")
    for model_dir in models:
        try:
            model = og.Model(str(model_dir))
        except RuntimeError as e:
            print(f"{model_dir.name:28} {'-':10} not compared: onnxruntime-genai cannot load it ({str(e)[:80]})")
            continue
        cfg = json.loads((model_dir / "genai_config.json").read_text())["model"]
        pad = cfg.get("pad_token_id", 0)
        pad = pad[0] if isinstance(pad, list) else pad
        _PAD[id(model)] = pad
        vocab = cfg["vocab_size"]
        for name, rows, options in CASES:
            rows = [[t % vocab for t in r] for r in rows]
            try:
                theirs = genai_sequences(og, model, rows, args.max_length, options)
            except RuntimeError as e:
                print(f"{model_dir.name:28} {name:10} not compared: onnxruntime-genai fails ({str(e).splitlines()[-1][-110:]})")
                continue
            ours = onnxgen_sequences(args.onnxgen, model_dir, rows, args.max_length, options)
            ok = len(theirs) == len(ours) and all(same(t, o, pad) for t, o in zip(theirs, ours))
            failures += not ok
            print(f"{model_dir.name:28} {name:10} {'identical' if ok else 'DIFFERENT'}")
            if not ok:
                print(f"  onnxruntime-genai: {theirs}\n  onnxgen:           {ours}")
        if args.padded:
            rows = [[t % vocab for t in r] for r in ([12, 40, 7, 99], [5, 17], [301, 2, 77])]
            batched = genai_sequences(og, model, rows, args.max_length, dict(do_sample=False))
            width = max(map(len, rows))
            alone = [genai_sequences(og, model, [r], args.max_length - (width - len(r)), dict(do_sample=False))[0]
                     for r in rows]
            ours = onnxgen_sequences(args.onnxgen, model_dir, rows, args.max_length, dict(do_sample=False))
            for r, (b, a, o) in enumerate(zip(batched, alone, ours)):
                stripped = b[width - len(rows[r]):]
                print(f"  padded row {r}: onnxgen {'=' if same(a, o[width - len(rows[r]):], pad) else '!='} "
                      f"genai alone; genai batched {'=' if stripped[:len(a)] == a else '!='} genai alone")
    print("all identical" if not failures else f"{failures} case(s) differ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
