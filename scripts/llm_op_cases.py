#!/usr/bin/env python3
"""Generates the LLM-op conformance cases under tests/fixtures/llm_ops/node/.

Two sources, both laid out like ONNX's backend test data (model.onnx + test_data_set_0/):
  * ONNX's own node cases for the opset 23-25 LLM ops (Attention, RMSNormalization,
    RotaryEmbedding, TensorScatter), generated from the pip `onnx` package's case definitions
    (the package ships the definitions, not the data). The `_expanded` variants are skipped:
    they exercise the function body's ops, not these kernels.
  * Single-node com.microsoft models (and ORT's default-domain SimplifiedLayerNormalization) with
    random inputs, whose expected outputs ONNX Runtime computes.

Run with the oracle venv: .venv/bin/python scripts/llm_op_cases.py
"""
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "llm_ops", "node")
ONNX_OPS = ["Attention", "RMSNormalization", "RotaryEmbedding", "TensorScatter"]
MS = "com.microsoft"


def write_case(name, model, inputs, outputs):
    d = os.path.join(ROOT, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "test_data_set_0"))
    with open(os.path.join(d, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    graph_inputs = [i.name for i in model.graph.input]
    for k, (name_k, value) in enumerate(zip(graph_inputs, inputs)):
        with open(os.path.join(d, "test_data_set_0", f"input_{k}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(value, name_k).SerializeToString())
    for k, (out, value) in enumerate(zip(model.graph.output, outputs)):
        with open(os.path.join(d, "test_data_set_0", f"output_{k}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(value, out.name).SerializeToString())


def onnx_cases():
    """Each op in its own interpreter: the case registry fills on first import only."""
    code = r'''
import sys
from onnx.backend.test.case import node
from onnx import numpy_helper
import os
root, op = sys.argv[1], sys.argv[2]
for c in node.collect_testcases(op):
    if c.name.endswith("_expanded"):
        continue
    d = os.path.join(root, c.name)
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, "model.onnx"), "wb").write(c.model.SerializeToString())
    for i, (ins, outs) in enumerate(c.data_sets):
        ds = os.path.join(d, f"test_data_set_{i}")
        os.makedirs(ds, exist_ok=True)
        for j, x in enumerate(ins):
            open(os.path.join(ds, f"input_{j}.pb"), "wb").write(
                numpy_helper.from_array(x, c.model.graph.input[j].name).SerializeToString())
        for j, x in enumerate(outs):
            open(os.path.join(ds, f"output_{j}.pb"), "wb").write(
                numpy_helper.from_array(x, c.model.graph.output[j].name).SerializeToString())
'''
    for op in ONNX_OPS:
        subprocess.run([sys.executable, "-W", "ignore", "-c", code, ROOT, op], check=True)


NP_TO_ONNX = {np.float32: TensorProto.FLOAT, np.float16: TensorProto.FLOAT16, np.int32: TensorProto.INT32,
              np.int64: TensorProto.INT64, np.uint8: TensorProto.UINT8, np.bool_: TensorProto.BOOL}


def ort_case(name, op, inputs, attrs=None, n_outputs=1, domain=MS, initializers=(), opset=17, skip_outputs=()):
    """inputs: list of (name, array or None); initializers: names among them baked into the model."""
    import onnxruntime as ort

    ort.set_default_logger_severity(3)
    node_inputs = [n if v is not None else "" for n, v in inputs]
    outs = [f"out{k}" if k not in skip_outputs else "" for k in range(n_outputs)]
    node = helper.make_node(op, node_inputs, outs, domain=domain, **(attrs or {}))
    graph_inputs, inits, feeds = [], [], {}
    for n, v in inputs:
        if v is None:
            continue
        if n in initializers:
            inits.append(numpy_helper.from_array(v, n))
        else:
            graph_inputs.append(helper.make_tensor_value_info(n, NP_TO_ONNX[v.dtype.type], list(v.shape)))
            feeds[n] = v
    graph_outputs = [onnx.ValueInfoProto(name=o) for o in outs if o]
    graph = helper.make_graph([node], name, graph_inputs, graph_outputs, initializer=inits)
    opsets = [helper.make_opsetid("", opset), helper.make_opsetid(MS, 1)]
    model = helper.make_model(graph, opset_imports=opsets, ir_version=8)
    try:
        sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        results = sess.run(None, feeds)
    except Exception as e:  # an ORT limitation: no oracle, no case
        print(f"skipped {name}: {str(e).splitlines()[0]}", file=sys.stderr)
        return
    # Record the real output types in the stored model.
    del model.graph.output[:]
    for o, r in zip([o for o in outs if o], results):
        model.graph.output.append(helper.make_tensor_value_info(o, NP_TO_ONNX[r.dtype.type], list(r.shape)))
    write_case("test_ort_" + name, model, list(feeds.values()), results)


def rnd(*shape, dtype=np.float32, scale=1.0):
    return (RNG.standard_normal(shape) * scale).astype(dtype)


def i32(*values):
    return np.array(values, dtype=np.int32)


def rope_cache(max_pos, half, dtype=np.float32):
    inv = 1.0 / (10000 ** (np.arange(half) / half))
    ang = np.arange(max_pos)[:, None] * inv[None, :]
    return np.cos(ang).astype(dtype), np.sin(ang).astype(dtype)


def gqa_cases():
    b, n, kvn, h = 2, 4, 2, 8
    for dt, tag in ((np.float32, ""), (np.float16, "_fp16")):
        s = 3
        ort_case("gqa_prompt" + tag, "GroupQueryAttention",
                 [("q", rnd(b, s, n * h, dtype=dt)), ("k", rnd(b, s, kvn * h, dtype=dt)), ("v", rnd(b, s, kvn * h, dtype=dt)),
                  ("pk", None), ("pv", None), ("seqlens_k", i32(s - 1, s - 1)), ("total", i32(s))],
                 {"num_heads": n, "kv_num_heads": kvn}, n_outputs=3)
        p = 5
        ort_case("gqa_decode" + tag, "GroupQueryAttention",
                 [("q", rnd(b, 1, n * h, dtype=dt)), ("k", rnd(b, 1, kvn * h, dtype=dt)), ("v", rnd(b, 1, kvn * h, dtype=dt)),
                  ("pk", rnd(b, kvn, p, h, dtype=dt)), ("pv", rnd(b, kvn, p, h, dtype=dt)), ("seqlens_k", i32(p, p)),
                  ("total", i32(p + 1))],
                 {"num_heads": n, "kv_num_heads": kvn}, n_outputs=3)
    s, p = 2, 4  # ORT takes a prefill after a past for batch 1 only
    ort_case("gqa_continue_prefill", "GroupQueryAttention",
             [("q", rnd(1, s, n * h)), ("k", rnd(1, s, kvn * h)), ("v", rnd(1, s, kvn * h)),
              ("pk", rnd(1, kvn, p, h)), ("pv", rnd(1, kvn, p, h)), ("seqlens_k", i32(p + s - 1)),
              ("total", i32(p + s))],
             {"num_heads": n, "kv_num_heads": kvn}, n_outputs=3)
    s = 4
    ort_case("gqa_packed_qkv", "GroupQueryAttention",
             [("qkv", rnd(b, s, (n + 2 * kvn) * h)), ("k", None), ("v", None), ("pk", None), ("pv", None),
              ("seqlens_k", i32(s - 1, s - 1)), ("total", i32(s))],
             {"num_heads": n, "kv_num_heads": kvn}, n_outputs=3)
    b, h = 1, 16  # ORT's rotary needs head sizes that are multiples of 16
    cos, sin = rope_cache(32, h // 2)
    for inter in (0, 1):
        ort_case(f"gqa_rotary_prompt_i{inter}", "GroupQueryAttention",
                 [("q", rnd(b, s, n * h)), ("k", rnd(b, s, kvn * h)), ("v", rnd(b, s, kvn * h)), ("pk", None), ("pv", None),
                  ("seqlens_k", i32(s - 1)), ("total", i32(s)), ("cos", cos), ("sin", sin)],
                 {"num_heads": n, "kv_num_heads": kvn, "do_rotary": 1, "rotary_interleaved": inter}, n_outputs=3)
    p = 6
    ort_case("gqa_rotary_decode", "GroupQueryAttention",
             [("q", rnd(b, 1, n * h)), ("k", rnd(b, 1, kvn * h)), ("v", rnd(b, 1, kvn * h)),
              ("pk", rnd(b, kvn, p, h)), ("pv", rnd(b, kvn, p, h)), ("seqlens_k", i32(p)), ("total", i32(p + 1)),
              ("cos", cos), ("sin", sin)],
             {"num_heads": n, "kv_num_heads": kvn, "do_rotary": 1}, n_outputs=3)
    h = 32  # partial rotary: ORT wants the cache width a multiple of 8 below head_size / 2
    cos_p, sin_p = rope_cache(32, 8)
    ort_case("gqa_rotary_partial", "GroupQueryAttention",
             [("q", rnd(b, s, n * h)), ("k", rnd(b, s, kvn * h)), ("v", rnd(b, s, kvn * h)), ("pk", None), ("pv", None),
              ("seqlens_k", i32(s - 1)), ("total", i32(s)), ("cos", cos_p), ("sin", sin_p)],
             {"num_heads": n, "kv_num_heads": kvn, "do_rotary": 1}, n_outputs=3)
    b, h, s = 2, 8, 6
    ort_case("gqa_local_window", "GroupQueryAttention",
             [("q", rnd(b, s, n * h)), ("k", rnd(b, s, kvn * h)), ("v", rnd(b, s, kvn * h)), ("pk", None), ("pv", None),
              ("seqlens_k", i32(s - 1, s - 1)), ("total", i32(s))],
             {"num_heads": n, "kv_num_heads": kvn, "local_window_size": 2}, n_outputs=3)
    ort_case("gqa_softcap_scale", "GroupQueryAttention",
             [("q", rnd(b, s, n * h, scale=3)), ("k", rnd(b, s, kvn * h, scale=3)), ("v", rnd(b, s, kvn * h)),
              ("pk", None), ("pv", None), ("seqlens_k", i32(s - 1, s - 1)), ("total", i32(s))],
             {"num_heads": n, "kv_num_heads": kvn, "softcap": 2.0, "scale": 0.3}, n_outputs=3)


def mha_cases():
    b, n, h, s, l = 2, 2, 8, 3, 4
    ort_case("mha_basic", "MultiHeadAttention", [("q", rnd(b, s, n * h)), ("k", rnd(b, l, n * h)), ("v", rnd(b, l, n * h))],
             {"num_heads": n})
    ort_case("mha_bias_mask", "MultiHeadAttention",
             [("q", rnd(b, s, n * h)), ("k", rnd(b, l, n * h)), ("v", rnd(b, l, n * h)), ("bias", rnd(3 * n * h)),
              ("kpm", np.array([[1, 1, 1, 0], [1, 1, 1, 1]], dtype=np.int32))],
             {"num_heads": n})
    ort_case("mha_attention_bias", "MultiHeadAttention",
             [("q", rnd(b, s, n * h)), ("k", rnd(b, l, n * h)), ("v", rnd(b, l, n * h)), ("bias", None), ("kpm", None),
              ("ab", rnd(1, n, s, l))],
             {"num_heads": n})
    p = 3
    ort_case("mha_past_causal", "MultiHeadAttention",
             [("q", rnd(b, s, n * h)), ("k", rnd(b, s, n * h)), ("v", rnd(b, s, n * h)), ("bias", None), ("kpm", None),
              ("ab", None), ("pk", rnd(b, n, p, h)), ("pv", rnd(b, n, p, h))],
             {"num_heads": n, "unidirectional": 1}, n_outputs=3)
    ort_case("mha_cross_cache", "MultiHeadAttention",
             [("q", rnd(b, s, n * h)), ("k", rnd(b, n, l, h)), ("v", rnd(b, n, l, h))], {"num_heads": n})
    ort_case("mha_fp16", "MultiHeadAttention",
             [("q", rnd(b, s, n * h, dtype=np.float16)), ("k", rnd(b, l, n * h, dtype=np.float16)),
              ("v", rnd(b, l, n * h, dtype=np.float16))], {"num_heads": n})


def contrib_attention_cases():
    b, n, h, s, d = 2, 2, 4, 3, 8
    w, bias = rnd(d, 3 * d, scale=0.5), rnd(3 * d)
    ort_case("attention_prompt", "Attention", [("x", rnd(b, s, d)), ("w", w), ("bias", bias)],
             {"num_heads": n, "unidirectional": 1}, n_outputs=2, initializers=("w", "bias"))
    p = 4
    ort_case("attention_past_mask2d", "Attention",
             [("x", rnd(b, 1, d)), ("w", w), ("bias", bias), ("mask", np.array([[1] * 5, [0, 1, 1, 1, 1]], dtype=np.int32)),
              ("past", rnd(2, b, n, p, h))],
             {"num_heads": n, "unidirectional": 1, "mask_filter_value": -3.4028234663852886e38}, n_outputs=2,
             initializers=("w", "bias"))
    ort_case("attention_mask1d", "Attention",
             [("x", rnd(b, s, d)), ("w", w), ("bias", bias), ("mask", i32(2, 3))], {"num_heads": n}, n_outputs=1,
             initializers=("w", "bias"))


def rotary_cases():
    b, s, n, h = 2, 3, 2, 8
    cos, sin = rope_cache(16, h // 2)
    pos = np.array([[0, 1, 2], [4, 5, 6]], dtype=np.int64)
    for inter in (0, 1):
        ort_case(f"rotary_3d_i{inter}", "RotaryEmbedding", [("x", rnd(b, s, n * h)), ("pos", pos), ("cos", cos), ("sin", sin)],
                 {"interleaved": inter})
    ort_case("rotary_4d", "RotaryEmbedding", [("x", rnd(b, n, s, h)), ("pos", pos), ("cos", cos), ("sin", sin)])
    ort_case("rotary_offset", "RotaryEmbedding",
             [("x", rnd(b, s, n * h)), ("pos", np.array([3], dtype=np.int64)), ("cos", cos), ("sin", sin)])
    cos_p, sin_p = rope_cache(16, h // 4)
    ort_case("rotary_partial", "RotaryEmbedding", [("x", rnd(b, s, n * h)), ("pos", pos), ("cos", cos_p), ("sin", sin_p)],
             {"rotary_embedding_dim": h // 2, "num_heads": n})
    c16, s16 = rope_cache(16, h // 2, np.float16)
    ort_case("rotary_fp16", "RotaryEmbedding",
             [("x", rnd(b, s, n * h, dtype=np.float16)), ("pos", pos), ("cos", c16), ("sin", s16)])


def norm_cases():
    b, s, d = 2, 3, 16
    ort_case("skip_layer_norm_full", "SkipLayerNormalization",
             [("x", rnd(b, s, d)), ("skip", rnd(b, s, d)), ("gamma", rnd(d)), ("beta", rnd(d)), ("bias", rnd(d))],
             {"epsilon": 1e-5}, n_outputs=4, skip_outputs=(1, 2))
    ort_case("skip_layer_norm_broadcast", "SkipLayerNormalization",
             [("x", rnd(b, s, d)), ("skip", rnd(s, d)), ("gamma", rnd(d))], n_outputs=1)
    ort_case("skip_layer_norm_fp16", "SkipLayerNormalization",
             [("x", rnd(b, s, d, dtype=np.float16)), ("skip", rnd(b, s, d, dtype=np.float16)),
              ("gamma", rnd(d, dtype=np.float16)), ("beta", rnd(d, dtype=np.float16))], n_outputs=4, skip_outputs=(1, 2))
    ort_case("skip_simplified_layer_norm", "SkipSimplifiedLayerNormalization",
             [("x", rnd(b, s, d)), ("skip", rnd(b, s, d)), ("gamma", rnd(d)), ("bias", rnd(d))], {"epsilon": 1e-6},
             n_outputs=4, skip_outputs=(1, 2))
    ort_case("simplified_layer_norm", "SimplifiedLayerNormalization", [("x", rnd(b, s, d)), ("scale", rnd(d))],
             {"epsilon": 1e-6}, domain="")
    v, p, g = 20, 8, 2
    ids = np.array([[1, 5, 19], [0, 7, 3]], dtype=np.int32)
    ort_case("embed_layer_norm", "EmbedLayerNormalization",
             [("ids", ids), ("seg_ids", np.array([[0, 0, 1], [1, 1, 0]], dtype=np.int32)), ("word", rnd(v, d)),
              ("pos", rnd(p, d)), ("seg", rnd(g, d)), ("gamma", rnd(d)), ("beta", rnd(d)),
              ("mask", np.array([[1, 1, 0], [1, 1, 1]], dtype=np.int32))],
             {"epsilon": 1e-5}, n_outputs=3)
    ort_case("embed_layer_norm_position_ids", "EmbedLayerNormalization",
             [("ids", ids), ("seg_ids", None), ("word", rnd(v, d)), ("pos", rnd(p, d)), ("seg", None), ("gamma", rnd(d)),
              ("beta", rnd(d)), ("mask", None), ("pos_ids", np.array([[2, 3, 4], [5, 6, 7]], dtype=np.int32))],
             {"epsilon": 1e-5}, n_outputs=3, skip_outputs=(1,))


def matmul_nbits_case(name, m, k, n, bits, block, zp="none", dtype=np.float32, bias=False, accuracy=0):
    blocks = (k + block - 1) // block
    blob = block * bits // 8
    b = RNG.integers(0, 256, size=(n, blocks, blob), dtype=np.uint8)
    scales = (RNG.random((n * blocks,)) * 0.1 + 0.01).astype(dtype)
    inputs = [("a", rnd(m, k, dtype=dtype)), ("b", b), ("scales", scales)]
    inits = ["b", "scales"]
    if zp == "packed":
        inputs.append(("zp", RNG.integers(0, 256, size=(n * ((blocks * bits + 7) // 8),), dtype=np.uint8)))
        inits.append("zp")
    elif zp == "float":
        inputs.append(("zp", (RNG.random((n * blocks,)) * (1 << bits)).astype(dtype)))
        inits.append("zp")
    elif bias:
        inputs.append(("zp", None))
    if bias:
        inputs += [("g_idx", None), ("bias", rnd(n, dtype=dtype))]
        inits.append("bias")
    attrs = {"K": k, "N": n, "bits": bits, "block_size": block}
    if accuracy:
        attrs["accuracy_level"] = accuracy
    ort_case(name, "MatMulNBits", inputs, attrs, initializers=tuple(inits))


def matmul_nbits_cases():
    matmul_nbits_case("matmul_nbits_q4_gemv", 1, 64, 48, 4, 32)
    matmul_nbits_case("matmul_nbits_q4_gemv_zp", 1, 128, 40, 4, 32, zp="packed")
    matmul_nbits_case("matmul_nbits_q4_prefill_zp", 7, 64, 24, 4, 16, zp="packed")
    matmul_nbits_case("matmul_nbits_q4_block128_tail", 2, 200, 16, 4, 128, zp="packed")
    matmul_nbits_case("matmul_nbits_q4_block256", 1, 256, 8, 4, 256)
    matmul_nbits_case("matmul_nbits_q8", 3, 64, 16, 8, 32, zp="packed")
    matmul_nbits_case("matmul_nbits_q8_nozp", 1, 96, 16, 8, 32)
    matmul_nbits_case("matmul_nbits_q4_fp16", 2, 64, 16, 4, 32, dtype=np.float16)
    matmul_nbits_case("matmul_nbits_q4_bias", 1, 64, 16, 4, 32, bias=True)
    matmul_nbits_case("matmul_nbits_q4_float_zp", 1, 64, 16, 4, 32, zp="float")
    # accuracy_level 4: ORT quantises A to int8 per block.
    matmul_nbits_case("matmul_nbits_q4_int8_compute", 1, 256, 32, 4, 32, accuracy=4)
    matmul_nbits_case("matmul_nbits_q4_int8_compute_zp_prefill", 6, 128, 24, 4, 16, zp="packed", accuracy=4)
    matmul_nbits_case("matmul_nbits_q8_int8_compute", 2, 64, 16, 8, 32, accuracy=4)
    matmul_nbits_case("matmul_nbits_q4_int8_compute_fp16", 1, 128, 16, 4, 32, dtype=np.float16, accuracy=4)


def matmul_nbits_kernel_cases():
    """onnxgen's int4 kernels: float32 compute (q4_float_gemv: tiles of 4 and 1 rows, the
    dequantising prefill) and int8 compute with zero points (q4_int8_gemm: tiles of 8 and 3 rows).
    Drawn last, so the cases before keep their random data."""
    matmul_nbits_case("matmul_nbits_q4_rows_zp", 5, 96, 21, 4, 32, zp="packed")
    matmul_nbits_case("matmul_nbits_q4_prefill_block64_zp", 12, 192, 20, 4, 64, zp="packed")
    matmul_nbits_case("matmul_nbits_q4_prefill_float_zp", 10, 64, 12, 4, 32, zp="float", bias=True)
    matmul_nbits_case("matmul_nbits_q4_int8_compute_gemv_zp", 1, 160, 40, 4, 32, zp="packed", accuracy=4)
    matmul_nbits_case("matmul_nbits_q4_int8_compute_rows_zp", 11, 128, 24, 4, 32, zp="packed", accuracy=4)


def gather_block_quantized_cases():
    for bits, zp in ((4, False), (4, True), (8, True)):
        rows, cols, block = 10, 64, 16
        data = RNG.integers(0, 256, size=(rows, cols * bits // 8), dtype=np.uint8)
        scales = (RNG.random((rows, cols // block)) * 0.1).astype(np.float32)
        inputs = [("data", data), ("idx", np.array([[3, 0], [9, 3]], dtype=np.int64)), ("scales", scales)]
        if zp:
            inputs.append(("zp", RNG.integers(0, 256, size=(rows, cols // block * bits // 8), dtype=np.uint8)))
        ort_case(f"gather_block_quantized_q{bits}{'_zp' if zp else ''}", "GatherBlockQuantized", inputs,
                 {"bits": bits, "block_size": block, "gather_axis": 0, "quantize_axis": 1},
                 initializers=("data", "scales", "zp"))


def int8_matmul_cases():
    """MatMulInteger as dynamic quantisation leaves it (onnxgen's int8_gemm): uint8 activations with
    a zero point, int8 or uint8 weights as initializers with per-column or per-tensor zero points."""
    def q(*shape, dtype):
        info = np.iinfo(dtype)
        return RNG.integers(info.min, info.max + 1, size=shape, dtype=dtype)
    ort_case("matmul_integer_rows_column_zp", "MatMulInteger",
             [("a", q(11, 37, dtype=np.uint8)), ("b", q(37, 21, dtype=np.int8)), ("a_zp", q(dtype=np.uint8)),
              ("b_zp", q(21, dtype=np.int8))], domain="", initializers=("b", "b_zp"))
    ort_case("matmul_integer_batched_u8_weights", "MatMulInteger",
             [("a", q(2, 3, 64, dtype=np.uint8)), ("b", q(64, 40, dtype=np.uint8)), ("a_zp", q(dtype=np.uint8)),
              ("b_zp", q(dtype=np.uint8))], domain="", initializers=("b", "b_zp"))


RNG = np.random.default_rng(7)

if __name__ == "__main__":
    os.makedirs(ROOT, exist_ok=True)
    onnx_cases()
    for make in (gqa_cases, mha_cases, contrib_attention_cases, rotary_cases, norm_cases, matmul_nbits_cases,
                 gather_block_quantized_cases, matmul_nbits_kernel_cases, int8_matmul_cases):
        make()
