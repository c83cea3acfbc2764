#!/usr/bin/env python3
"""ONNX backend conformance: onnxgen against ONNX Runtime on the same cases, in the same run.

  scripts/conformance_compare.py generate DIR
      writes the node cases of the installed `onnx` package (its backend test case generators,
      outputs from onnx.reference) as DIR/node/<case>/{model.onnx,test_data_set_0/*.pb}.
  scripts/conformance_compare.py compare --runner build/tests/conformance/onnx_conformance DATA...
      runs every case of each DATA root through onnxgen's conformance runner and through
      onnxruntime, and prints the pass table per suite (plus the cases of opset >= 18).

Both sides use the runner's tolerance (rtol 1e-3, atol 1e-5; NaN equals NaN; integers exact).
Needs the oracle virtualenv (scripts/oracle_venv.sh): onnx, onnxruntime, numpy.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

RTOL, ATOL = 1e-3, 1e-5
# Decoding images is out of scope for an LLM runtime.
EXCLUDED_OPS = {"ImageDecoder"}


def write_value(path: Path, value, vtype, name: str) -> None:
    from onnx import TensorProto, numpy_helper

    if vtype.HasField("sequence_type"):
        proto = numpy_helper.from_list(value, name)
    elif vtype.HasField("optional_type"):
        proto = numpy_helper.from_optional(value, name)
    elif vtype.HasField("map_type"):
        proto = numpy_helper.from_dict(value, name)
    elif isinstance(value, TensorProto):
        proto = value
    else:
        proto = numpy_helper.from_array(value, name)
    path.write_bytes(proto.SerializeToString())


def generate(out_dir: Path) -> None:
    import onnx
    from onnx.backend.test.case import node

    written = 0
    for case in node.collect_testcases():
        if any(n.op_type in EXCLUDED_OPS for n in case.model.graph.node):
            continue
        case_dir = out_dir / "node" / case.name
        if case_dir.exists():
            shutil.rmtree(case_dir)
        case_dir.mkdir(parents=True)
        (case_dir / "model.onnx").write_bytes(case.model.SerializeToString())
        for i, (inputs, outputs) in enumerate(case.data_sets):
            set_dir = case_dir / f"test_data_set_{i}"
            set_dir.mkdir()
            graph = case.model.graph
            for j, v in enumerate(inputs):
                write_value(set_dir / f"input_{j}.pb", v, graph.input[j].type, graph.input[j].name)
            for j, v in enumerate(outputs):
                write_value(set_dir / f"output_{j}.pb", v, graph.output[j].type, graph.output[j].name)
        written += 1
    print(f"wrote {written} node cases of onnx {onnx.__version__} to {out_dir}")


# ---- ONNX Runtime side: a worker process runs cases one by one, so a crash costs one case.

def read_value(path: Path, vtype):
    from onnx import OptionalProto, SequenceProto, TensorProto, numpy_helper

    data = path.read_bytes()
    if vtype.HasField("sequence_type"):
        p = SequenceProto()
        p.ParseFromString(data)
        return numpy_helper.to_list(p)
    if vtype.HasField("optional_type"):
        p = OptionalProto()
        p.ParseFromString(data)
        return numpy_helper.to_optional(p)
    p = TensorProto()
    p.ParseFromString(data)
    return numpy_helper.to_array(p)


def same(got, want) -> str:
    import numpy as np

    if want is None or got is None:
        return "" if want is None and got is None else f"got {type(got).__name__}, expected {type(want).__name__}"
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return "sequence mismatch"
        for g, w in zip(got, want):
            if why := same(g, w):
                return why
        return ""
    got, want = np.asarray(got), np.asarray(want)
    if got.dtype != want.dtype and not (got.dtype.kind in "OUS" and want.dtype.kind in "OUS"):
        return f"dtype {got.dtype} vs expected {want.dtype}"
    if got.shape != want.shape:
        return f"shape {got.shape} vs expected {want.shape}"
    if want.dtype.kind in "fc":
        g, w = got.astype(np.complex128 if want.dtype.kind == "c" else np.float64), want.astype(
            np.complex128 if want.dtype.kind == "c" else np.float64)
        both_nan = np.isnan(g) & np.isnan(w)
        ok = both_nan | (g == w) | (np.abs(g - w) <= ATOL + RTOL * np.abs(w))
        return "" if ok.all() else f"values differ (max abs diff {np.nanmax(np.abs(g - w)):.3g})"
    if want.dtype.kind in "OUS":
        return "" if [str(x) for x in got.ravel()] == [str(x) for x in want.ravel()] else "string mismatch"
    return "" if np.array_equal(got, want) else "values differ"


def run_ort_case(case_dir: Path) -> str:
    import onnx
    import onnxruntime as ort

    model = onnx.load(str(case_dir / "model.onnx"))
    opts = ort.SessionOptions()
    opts.log_severity_level = 4
    sess = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    init_names = {i.name for i in model.graph.initializer}
    fed = [i for i in model.graph.input if i.name not in init_names]
    for set_dir in sorted(case_dir.glob("test_data_set_*")):
        feeds = {}
        for k, vi in enumerate(fed):
            p = set_dir / f"input_{k}.pb"
            if p.exists():
                feeds[vi.name] = read_value(p, vi.type)
        outs = sess.run(None, feeds)
        for k, vo in enumerate(model.graph.output):
            p = set_dir / f"output_{k}.pb"
            if p.exists() and (why := same(outs[k], read_value(p, vo.type))):
                return f"output {k} in {set_dir.name}: {why}"
    return ""


def ort_worker() -> None:
    for line in sys.stdin:
        case_dir = Path(line.strip())
        try:
            why = run_ort_case(case_dir)
        except Exception as e:  # noqa: BLE001 - every failure is a result
            why = f"error: {str(e).splitlines()[0] if str(e) else type(e).__name__}"
        print(json.dumps({"case": str(case_dir), "why": why}), flush=True)


def run_ort(case_dirs: list[Path]) -> dict[Path, str]:
    results: dict[Path, str] = {}
    pending = list(case_dirs)
    while pending:
        # The case list goes through a file: writing it to a pipe while the worker's results fill
        # the other one would deadlock.
        with tempfile.TemporaryFile("w+") as todo:
            todo.write("".join(f"{c}\n" for c in pending))
            todo.seek(0)
            worker = subprocess.Popen([sys.executable, __file__, "_ort_worker"], stdin=todo, stdout=subprocess.PIPE,
                                      text=True)
        for line in worker.stdout:
            r = json.loads(line)
            results[Path(r["case"])] = r["why"]
        worker.wait()
        done = [c for c in pending if c in results]
        pending = pending[len(done):]
        if pending:  # the worker died on pending[0]
            results[pending[0]] = f"crash: exit status {worker.returncode}"
            pending = pending[1:]
    return results


def run_onnxgen(runner: str, data: Path) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        report, passing = Path(tmp) / "report.txt", Path(tmp) / "passing.txt"
        subprocess.run([runner, "--data", str(data), "--report", str(report), "--update", str(passing)],
                       check=True, stdout=subprocess.DEVNULL)
        results = {}
        for line in report.read_text().splitlines():
            kind, rest = line.split(" ", 1)
            name, why = rest.split(": ", 1)
            results[name] = ("SKIP: " if kind == "SKIP" else "") + why
        for line in passing.read_text().splitlines():
            if line and not line.startswith("#"):
                results[line] = ""
        return results


def opset_of(case_dir: Path) -> int:
    import onnx

    model = onnx.load(str(case_dir / "model.onnx"), load_external_data=False)
    return max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=0)


def compare(args) -> int:
    rows = []
    details = {}
    for data in map(Path, args.data):
        ours = run_onnxgen(args.runner, data)
        cases = sorted(p for p in data.glob("*/*") if (p / "model.onnx").exists())
        theirs = run_ort(cases)
        by_suite = collections.defaultdict(lambda: [0, 0, 0])
        for c in cases:
            name = f"{c.parent.name}/{c.name}"
            keys = [f"{data.name}:{c.parent.name}"]
            if args.new_opsets and c.parent.name == "node" and opset_of(c) >= 18:
                keys.append(f"{data.name}:node, opset >= 18")
            ok_ours, ok_ort = ours.get(name, "missing") == "", theirs[c] == ""
            for k in keys:
                by_suite[k][0] += 1
                by_suite[k][1] += ok_ours
                by_suite[k][2] += ok_ort
            details[f"{data.name}:{name}"] = (ours.get(name, "missing"), theirs[c])
        rows += [(k, *v) for k, v in sorted(by_suite.items())]
    print(f"{'suite':50} {'cases':>6} {'onnxgen':>8} {'ORT':>6}")
    for k, n, a, b in rows:
        print(f"{k:50} {n:6} {a:8} {b:6}")
    tot = [sum(r[i] for r in rows if "opset >= 18" not in r[0]) for i in (1, 2, 3)]
    print(f"{'total':50} {tot[0]:6} {tot[1]:8} {tot[2]:6}")
    if args.details:
        with open(args.details, "w") as f:
            for name, (a, b) in sorted(details.items()):
                if a or b:
                    f.write(f"{name}\n  onnxgen: {a or 'pass'}\n  ORT:     {b or 'pass'}\n")
        print(f"per-case differences: {args.details}")
    return 0


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "_ort_worker":
        ort_worker()
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate")
    g.add_argument("out", type=Path)
    c = sub.add_parser("compare")
    c.add_argument("--runner", default="build/tests/conformance/onnx_conformance")
    c.add_argument("--details", help="write every case where either runtime fails, with why")
    c.add_argument("--new-opsets", action="store_true", help="also count node cases of opset >= 18 apart")
    c.add_argument("data", nargs="+")
    args = ap.parse_args()
    if args.cmd == "generate":
        generate(args.out)
        return 0
    return compare(args)


if __name__ == "__main__":
    sys.exit(main())
