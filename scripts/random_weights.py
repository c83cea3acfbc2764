#!/usr/bin/env python3
"""Random external weights for the decode-speed models of scripts/gpu_check.sh, whose weight files
are too large to carry to the GPU machine (it has no network):

  scripts/random_weights.py manifest MODEL_DIR   here (needs onnx): writes MODEL_DIR/weights.txt,
                                                 one "offset length dtype" line per initializer
                                                 in model.onnx.data, in file order
  scripts/random_weights.py fill MODEL_DIR       there (needs torch): writes model.onnx.data from
                                                 the manifest: float16/float32 values drawn from
                                                 N(0, 0.02^2), uint8 (packed int4 codes, zero
                                                 points) uniform

The model's outputs are noise: time it, never read it.
"""
import ctypes
import sys
from pathlib import Path

DTYPES = {1: "float32", 2: "uint8", 10: "float16"}


def manifest(model_dir: Path):
    import onnx

    model = onnx.load(str(model_dir / "model.onnx"), load_external_data=False)
    rows = []
    for t in model.graph.initializer:
        if t.data_location != onnx.TensorProto.EXTERNAL:
            continue
        where = {e.key: e.value for e in t.external_data}
        if t.data_type not in DTYPES:
            sys.exit(f"{t.name}: data type {t.data_type} has no random filler")
        rows.append((int(where.get("offset", 0)), int(where["length"]), DTYPES[t.data_type]))
    rows.sort()
    end = 0
    for offset, length, _ in rows:
        if offset != end:
            sys.exit(f"model.onnx.data has a gap or overlap at byte {end}")
        end = offset + length
    (model_dir / "weights.txt").write_text("".join(f"{o} {n} {d}\n" for o, n, d in rows))


def fill(model_dir: Path):
    import torch

    torch.manual_seed(0)
    with open(model_dir / "model.onnx.data", "wb") as out:
        for line in (model_dir / "weights.txt").read_text().splitlines():
            _, length, dtype = line.split()
            n = int(length)
            if dtype == "uint8":
                t = torch.randint(0, 256, (n,), dtype=torch.uint8)
            else:
                t = torch.randn(n // (2 if dtype == "float16" else 4)) * 0.02
                t = t.half() if dtype == "float16" else t
            out.write(ctypes.string_at(t.data_ptr(), t.nbytes))


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("manifest", "fill"):
        sys.exit(__doc__)
    (manifest if sys.argv[1] == "manifest" else fill)(Path(sys.argv[2]))
