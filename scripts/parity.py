#!/usr/bin/env python3
"""Runs a model through onnxgen and ONNX Runtime on the same generated inputs and, when they
disagree, names the first node (in topological order) whose output diverges.

  scripts/parity.py MODEL_DIR_OR_ONNX [--seq 5] [--past 0] [--onnxgen build/cli/onnxgen]

Inputs follow the graph's declarations: input_ids in the vocabulary's range, attention_mask of
ones, position_ids counting from the past length, past KV with `--past` cached positions (zero by
default), anything else random with symbolic dims bound to batch 1 / the sequence length.
onnxgen runs as `onnxgen exec MODEL --data D --out O --dump DUMP`, which writes every intermediate
value; ONNX Runtime exposes the same values by making every node output a graph output (with its
graph optimisations off, so the values are the graph's own).
Exit status: 0 when every compared value is within tolerance, 1 otherwise.
"""
import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_fixtures import feed_inputs, known_dims, step_feeds, vocab_size  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
TOLERANCE = {np.dtype(np.float32): 1e-4, np.dtype(np.float64): 1e-4, np.dtype(np.float16): 2e-2}


def resolve_model(path: Path) -> Path:
    if path.is_file():
        return path
    config = path / "genai_config.json"
    if config.exists():
        return path / json.loads(config.read_text())["model"]["decoder"]["filename"]
    for name in ("model.onnx", "decoder_model_merged.onnx", "decoder_model.onnx"):
        if (path / name).exists():
            return path / name
    models = sorted(path.glob("*.onnx"))
    if len(models) != 1:
        sys.exit(f"{path}: say which model: {[m.name for m in models]}")
    return models[0]


def make_inputs(model: onnx.ModelProto, model_path: Path, seq: int, past_len: int, rng):
    tokens = rng.integers(0, vocab_size(model), seq).tolist()
    return step_feeds(model, tokens, {}, past_len, known_dims(model_path), rng)


def run_onnxgen(binary: Path, model_path: Path, data: Path, out: Path, dump: Path):
    r = subprocess.run([str(binary), "exec", str(model_path), "--data", str(data), "--out", str(out),
                        "--dump", str(dump)], capture_output=True, text=True)
    dumped = {}
    for f in dump.glob("*.pb"):
        t = onnx.load_tensor(str(f))
        dumped[t.name] = numpy_helper.to_array(t)
    return r, dumped


def run_ort(model_path: Path, feeds: dict, work: Path):
    """Every node output, by name (values ORT cannot type are left out)."""
    import onnxruntime as ort
    model = onnx.load(str(model_path))
    try:
        typed = {vi.name: vi for vi in onnx.shape_inference.infer_shapes(model, strict_mode=False).graph.value_info}
    except Exception:  # custom-domain ops can defeat inference; untyped outputs still work
        typed = {}
    existing = {o.name for o in model.graph.output}
    for node in model.graph.node:
        for name in node.output:
            if name and name not in existing:
                vi = onnx.ValueInfoProto()
                if name in typed:
                    vi.CopyFrom(typed[name])
                    vi.type.tensor_type.ClearField("shape")
                else:
                    vi.name = name
                model.graph.output.append(vi)
                existing.add(name)
    exposed = work / "exposed.onnx"
    onnx.save_model(model, str(exposed), save_as_external_data=True, location="exposed.data",
                    size_threshold=1024)
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(str(exposed), so, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(names, feeds))), model


def diff(got: np.ndarray, want: np.ndarray):
    """(max abs diff, that relative to max |want|, flat index of the worst element) or a reason."""
    if got.shape != want.shape:
        return f"shape {list(got.shape)} vs ORT {list(want.shape)}"
    if got.dtype != want.dtype:
        return f"dtype {got.dtype} vs ORT {want.dtype}"
    if want.size == 0:
        return 0.0, 0.0, 0
    if want.dtype == object or not np.issubdtype(want.dtype, np.number) and want.dtype != np.bool_:
        bad = np.flatnonzero(got.ravel() != want.ravel())
        return (1.0, 1.0, int(bad[0])) if bad.size else (0.0, 0.0, 0)
    a, b = got.astype(np.float64).ravel(), want.astype(np.float64).ravel()
    d = np.abs(a - b)
    d[(a == b) | (np.isnan(a) & np.isnan(b))] = 0  # equal infinities too
    d[np.isnan(d)] = np.inf
    worst = int(np.argmax(d))
    scale = float(np.max(np.abs(b[np.isfinite(b)]), initial=0.0)) or 1.0
    return float(d[worst]), float(d[worst]) / scale, worst


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", type=Path, help="a .onnx file or an export's folder")
    ap.add_argument("--seq", type=int, default=5, help="new tokens (default 5)")
    ap.add_argument("--past", type=int, default=0, help="cached positions in past KV (default 0)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tol", type=float, help="relative tolerance (default 1e-4 fp32, 2e-2 fp16, x10 with int4 weights)")
    ap.add_argument("--onnxgen", type=Path, default=REPO / "build" / "cli" / "onnxgen")
    ap.add_argument("--keep", type=Path, help="keep inputs, outputs and dumps here")
    args = ap.parse_args()

    model_path = resolve_model(args.model)
    if not args.onnxgen.exists():
        sys.exit(f"{args.onnxgen} not found: build it (scripts/setup.sh) or pass --onnxgen")
    header = onnx.load(str(model_path), load_external_data=False)
    feeds = make_inputs(header, model_path, args.seq, args.past, np.random.default_rng(args.seed))

    work = Path(args.keep or tempfile.mkdtemp(prefix="onnxgen-parity-"))
    data, out, dump = work / "data", work / "out", work / "dump"
    for d in (data, out, dump):
        d.mkdir(parents=True, exist_ok=True)
    for k, vi in enumerate(feed_inputs(header)):
        onnx.save_tensor(numpy_helper.from_array(feeds[vi.name], vi.name), str(data / f"input_{k}.pb"))
        print(f"input {vi.name}: {feeds[vi.name].dtype}{list(feeds[vi.name].shape)}")

    proc, ours = run_onnxgen(args.onnxgen, model_path, data, out, dump)
    ort_values, model = run_ort(model_path, feeds, work)

    # int4 weights: the parity suite's 1e-3 (ORT may quantise activations, accuracy_level 4).
    quantized = any(n.op_type == "MatMulNBits" for n in model.graph.node)
    known_shapes = {i.name: list(i.dims) for i in header.graph.initializer}
    known_shapes.update({n: list(v.shape) for n, v in list(feeds.items()) + list(ort_values.items())})
    first_bad, compared = None, 0
    for node in model.graph.node:
        for name in node.output:
            if not name or name not in ort_values:
                continue
            label = f"node '{node.name}' ({node.domain + '.' if node.domain else ''}{node.op_type}) output '{name}'"
            if name not in ours:
                if proc.returncode != 0 and first_bad is None:
                    first_bad = f"{label}: onnxgen failed before producing it"
                continue
            want = np.asarray(ort_values[name])
            r = diff(ours[name], want)
            compared += 1
            tol = args.tol if args.tol is not None else TOLERANCE.get(want.dtype, 0.0) * (10 if quantized else 1)
            if isinstance(r, str) or r[1] > tol:
                if first_bad is None:
                    shapes = ", ".join(f"{i}:{known_shapes.get(i, '?')}" for i in node.input if i)
                    detail = r if isinstance(r, str) else (
                        f"max abs diff {r[0]:.3g} (relative {r[1]:.3g} > {tol:g}) at flat index {r[2]}: "
                        f"onnxgen {ours[name].ravel()[r[2]]} vs ORT {want.ravel()[r[2]]}")
                    first_bad = f"{label} [inputs {shapes}]: {detail}"
    if proc.returncode != 0:
        print(f"onnxgen exec failed ({proc.returncode}): {proc.stderr.strip()}")
    for vi in header.graph.output:
        if vi.name in ours and vi.name in ort_values:
            r = diff(ours[vi.name], np.asarray(ort_values[vi.name]))
            print(f"output {vi.name}: " + (r if isinstance(r, str) else f"max abs diff {r[0]:.3g}, relative {r[1]:.3g}"))
    print(f"compared {compared} values")
    if first_bad or proc.returncode != 0 or args.keep:
        print(f"inputs, outputs and dumps kept in {work}")
    if first_bad:
        print(f"FIRST DIVERGENCE: {first_bad}")
        return 1
    if proc.returncode != 0:
        return 1
    print("onnxgen matches ONNX Runtime")
    if not args.keep:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
