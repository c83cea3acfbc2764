#!/usr/bin/env python3
"""Vision and audio ops against ONNX Runtime: small models built with onnx.helper (a conv net, an
encoder-decoder with ConvTranspose/Resize, an LSTM and a GRU), random weights, the same inputs to
both runtimes, the median milliseconds per run of each and their ratio. Outputs are checked to agree
(rtol 1e-3, atol 1e-4), so a fast wrong kernel does not pass for a fast one.

  scripts/bench_vision_audio.py [--bench build/benchmarks/model_bench] [--threads 1] [--runs 20]

Needs the oracle virtualenv (scripts/oracle_venv.sh) and benchmarks/model_bench.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

RNG = np.random.default_rng(0)


def weight(name: str, *shape: int, scale: float | None = None) -> TensorProto:
    fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
    s = scale if scale is not None else 1.0 / np.sqrt(fan_in)
    return numpy_helper.from_array((RNG.standard_normal(shape) * s).astype(np.float32), name)


class Builder:
    """Accumulates nodes and initializers; each helper returns its output's name."""

    def __init__(self) -> None:
        self.nodes: list = []
        self.inits: list = []
        self.n = 0

    def name(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def node(self, op: str, inputs: list[str], **attrs) -> str:
        out = self.name(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def conv(self, x: str, cin: int, cout: int, k: int, stride: int = 1, group: int = 1, relu: bool = True) -> str:
        w, b = self.name("w"), self.name("b")
        self.inits += [weight(w, cout, cin // group, k, k), weight(b, cout, scale=0.1)]
        y = self.node("Conv", [x, w, b], kernel_shape=[k, k], strides=[stride, stride], pads=[k // 2] * 4, group=group)
        return self.node("Relu", [y]) if relu else y

    def batch_norm(self, x: str, c: int) -> str:
        names = [self.name(p) for p in ("scale", "bias", "mean", "var")]
        self.inits += [
            numpy_helper.from_array((1 + 0.1 * RNG.standard_normal(c)).astype(np.float32), names[0]),
            numpy_helper.from_array((0.1 * RNG.standard_normal(c)).astype(np.float32), names[1]),
            numpy_helper.from_array((0.1 * RNG.standard_normal(c)).astype(np.float32), names[2]),
            numpy_helper.from_array((1 + 0.1 * RNG.random(c)).astype(np.float32), names[3]),
        ]
        return self.node("BatchNormalization", [x, *names])

    def model(self, inputs: list, output: str, opset: int = 17) -> onnx.ModelProto:
        out = helper.make_tensor_value_info(output, TensorProto.FLOAT, None)
        graph = helper.make_graph(self.nodes, "bench", inputs, [out], self.inits)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def conv_net() -> tuple[onnx.ModelProto, dict]:
    """A MobileNet/ResNet-flavoured classifier on one 224x224 image."""
    b = Builder()
    x = b.conv("image", 3, 32, 3, stride=2, relu=False)
    x = b.node("Relu", [b.batch_norm(x, 32)])
    x = b.node("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    for cin, cout in ((32, 64), (64, 128), (128, 128)):
        skip = x
        x = b.conv(x, cin, cin, 3, group=cin)  # depthwise
        x = b.conv(x, cin, cout, 1, relu=False)  # pointwise
        if cin == cout:
            x = b.node("Add", [x, skip])
        x = b.node("Relu", [x])
        x = b.conv(x, cout, cout, 3, stride=2)
    x = b.node("AveragePool", [x], kernel_shape=[2, 2], strides=[2, 2])
    x = b.node("GlobalAveragePool", [x])
    x = b.node("Flatten", [x])
    w, bias = b.name("fc_w"), b.name("fc_b")
    b.inits += [weight(w, 1000, 128), weight(bias, 1000, scale=0.1)]
    y = b.node("Gemm", [x, w, bias], transB=1)
    inp = helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 224, 224])
    return b.model([inp], y), {"image": RNG.standard_normal((1, 3, 224, 224)).astype(np.float32)}


def encoder_decoder() -> tuple[onnx.ModelProto, dict]:
    """A small U-Net: strided convs down, ConvTranspose and Resize back up, skip Concats."""
    b = Builder()
    e1 = b.conv("image", 3, 16, 3)
    e2 = b.conv(e1, 16, 32, 3, stride=2)
    e3 = b.conv(e2, 32, 64, 3, stride=2)
    wt, bt = b.name("wt"), b.name("bt")
    b.inits += [weight(wt, 64, 32, 2, 2), weight(bt, 32, scale=0.1)]
    d2 = b.node("ConvTranspose", [e3, wt, bt], kernel_shape=[2, 2], strides=[2, 2])
    d2 = b.conv(b.node("Concat", [d2, e2], axis=1), 64, 32, 3)
    scales = b.name("scales")
    b.inits.append(numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), scales))
    d1 = b.node("Resize", [d2, "", scales], mode="linear")
    d1 = b.conv(b.node("Concat", [d1, e1], axis=1), 48, 16, 3)
    y = b.conv(d1, 16, 1, 1, relu=False)
    y = b.node("Sigmoid", [y])
    inp = helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 128, 128])
    return b.model([inp], y), {"image": RNG.standard_normal((1, 3, 128, 128)).astype(np.float32)}


def recurrent(op: str, seq: int = 100, batch: int = 1, features: int = 80, hidden: int = 256) -> tuple:
    """Two stacked layers (the second bidirectional) over audio-like frames."""
    gates = {"LSTM": 4, "GRU": 3}[op]
    b = Builder()
    x = "frames"
    for layer, (directions, width) in enumerate(((1, features), (2, hidden))):
        w, r, bias = (b.name(p) for p in ("W", "R", "B"))
        b.inits += [weight(w, directions, gates * hidden, width), weight(r, directions, gates * hidden, hidden),
                    weight(bias, directions, 2 * gates * hidden, scale=0.1)]
        kind = "bidirectional" if directions == 2 else "forward"
        y = b.name(f"{op.lower()}_y")
        b.nodes.append(helper.make_node(op, [x, w, r, bias], [y], hidden_size=hidden, direction=kind))
        # [seq, dirs, batch, hidden] -> [seq, batch, dirs * hidden]
        t = b.node("Transpose", [y], perm=[0, 2, 1, 3])
        shape = b.name("shape")
        b.inits.append(numpy_helper.from_array(np.array([seq, batch, directions * hidden], np.int64), shape))
        x = b.node("Reshape", [t, shape])
    inp = helper.make_tensor_value_info("frames", TensorProto.FLOAT, [seq, batch, features])
    return b.model([inp], x), {"frames": RNG.standard_normal((seq, batch, features)).astype(np.float32)}


def time_ort(path: Path, feeds: dict, runs: int, threads: int) -> tuple[float, list]:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    for _ in range(3):
        out = sess.run(None, feeds)
    ms = []
    for _ in range(runs):
        t0 = time.perf_counter()
        sess.run(None, feeds)
        ms.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ms), out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default="build/benchmarks/model_bench")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    models = {"conv net 224x224": conv_net(), "U-Net 128x128": encoder_decoder(),
              "LSTM 2x256, 100 frames": recurrent("LSTM"), "GRU 2x256, 100 frames": recurrent("GRU")}
    print(f"{'model':26} {'onnxgen ms':>11} {'ORT ms':>8} {'onnxgen/ORT':>12}  (median of {args.runs}, "
          f"{args.threads} thread(s))")
    status = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, (model, feeds)) in enumerate(models.items()):
            path = Path(tmp) / f"m{i}.onnx"
            onnx.save(model, str(path))
            data = Path(tmp) / f"data{i}"
            data.mkdir()
            for k, v in enumerate(feeds.values()):
                (data / f"input_{k}.pb").write_bytes(numpy_helper.from_array(v).SerializeToString())
            ort_ms, ort_out = time_ort(path, feeds, args.runs, args.threads)
            r = subprocess.run([args.bench, str(path), str(data), str(args.runs), str(args.threads)], check=True,
                               capture_output=True, text=True)
            our_ms = json.loads(r.stdout)["median_ms"]
            ours = numpy_helper.to_array(onnx.load_tensor(str(data / "onnxgen_output_0.pb")))
            if not np.allclose(ours, ort_out[0], rtol=1e-3, atol=1e-4):
                print(f"{name}: outputs differ from ORT (max abs diff {np.abs(ours - ort_out[0]).max():.3g})")
                status = 1
            print(f"{name:26} {our_ms:11.2f} {ort_ms:8.2f} {our_ms / ort_ms:12.2f}")
    return status


if __name__ == "__main__":
    sys.exit(main())
