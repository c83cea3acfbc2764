#!/usr/bin/env python3
"""The same random-weight models through onnxgen, onnxruntime-genai and llama.cpp, in one run.

Models have the real shapes of SmolLM2-135M (fp32 and int4) and Qwen2.5-0.5B (int4), random
weights (made from a config, never downloaded), exported by onnxruntime-genai's model builder
(as scripts/make_fixtures.py does) and converted to GGUF by llama.cpp's convert_hf_to_gguf.py from
the llama-cpp-python sdist (F32 for fp32, then llama.cpp's own quantiser for Q4_0 and BF16).
"smollm2-bf16" is the fp32 export run by onnxgen with --weight-dtype bf16, against
onnxruntime-genai on the same fp32 export (it has no bf16 CPU path) and llama.cpp on BF16. The
"-acc0" models (not run unless named) are the int4 exports with MatMulNBits' accuracy_level set to
0, float32 compute as Optimum's and transformers.js's int4 exports carry; "smollm2-int8-dynamic"
(also named to run) is the fp32 export through onnxruntime.quantization.quantize_dynamic (int8
weights, MatMulInteger), as Optimum's and transformers.js's model_quantized.onnx. llama.cpp has
no such modes and sits them out. They are built on first use and cached under --cache
(gitignored; several GB).

Each runtime gets the same synthetic prompt length, generated tokens, greedy selection and
threads; every figure is the median over --rounds rounds, runtimes interleaved within a round so
that a busy machine slows them alike. Prints a table of prefill (pp) and generation (tg) tokens/s
and onnxgen's ratio to each.

  scripts/bench_compare.py                       # the issue's models
  scripts/bench_compare.py --models smollm2-int4 --rounds 5
  scripts/bench_compare.py --models smollm2-int4-acc0 qwen2.5-0.5b-int4-acc0 smollm2-int8-dynamic
Needs the venv of `scripts/oracle_venv.sh --full` and build/cli/onnxgen (--onnxgen to change).
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_fixtures import REPO, SHARED, export_genai, run  # noqa: E402

SMOLLM2_135M = dict(hidden_size=576, intermediate_size=1536, num_hidden_layers=30, num_attention_heads=9,
                    num_key_value_heads=3, vocab_size=49152, max_position_embeddings=2048, rope_theta=100000.0,
                    rms_norm_eps=1e-5, tie_word_embeddings=True, bos_token_id=1, eos_token_id=2)
QWEN25_05B = dict(hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
                  num_key_value_heads=2, vocab_size=151936, max_position_embeddings=4096, rope_theta=1000000.0,
                  rms_norm_eps=1e-6, tie_word_embeddings=True, use_sliding_window=False,
                  bos_token_id=151643, eos_token_id=151645)

# name: (transformers config, model class, config kwargs, builder precision, GGUF type, tokenizer files)
MODELS = {
    "smollm2-fp32": ("LlamaConfig", "LlamaForCausalLM", SMOLLM2_135M, "fp32", "F32",
                     SHARED / "tokenizers" / "llama2-sentencepiece"),
    "smollm2-int4": ("LlamaConfig", "LlamaForCausalLM", SMOLLM2_135M, "int4", "Q4_0",
                     SHARED / "tokenizers" / "llama2-sentencepiece"),
    "smollm2-bf16": ("LlamaConfig", "LlamaForCausalLM", SMOLLM2_135M, "fp32", "BF16",
                     SHARED / "tokenizers" / "llama2-sentencepiece"),
    "qwen2.5-0.5b-int4": ("Qwen2Config", "Qwen2ForCausalLM", QWEN25_05B, "int4", "Q4_0",
                          SHARED / "tokenizers" / "qwen3"),
}
DEFAULT_MODELS = list(MODELS)
# int4 exports rewritten to float32 compute (accuracy_level 0), by the export they come from
FLOAT_COMPUTE_OF = {"smollm2-int4-acc0": "smollm2-int4", "qwen2.5-0.5b-int4-acc0": "qwen2.5-0.5b-int4"}
# the float32 export through dynamic int8 quantisation, by the export it comes from
DYNAMIC_INT8_OF = {"smollm2-int8-dynamic": "smollm2-fp32"}
for _name, _base in {**FLOAT_COMPUTE_OF, **DYNAMIC_INT8_OF}.items():
    MODELS[_name] = MODELS[_base][:4] + (None,) + MODELS[_base][5:]
EXPORT_OF = {"smollm2-bf16": "smollm2-fp32"}  # models that reuse another's onnxruntime-genai export
ONNXGEN_FLAGS = {"smollm2-bf16": ["--weight-dtype", "bf16"]}
LLAMA_FTYPES = {"Q4_0": 2, "BF16": 32}


def hf_model(name: str, cache: Path) -> Path:
    config_cls, model_cls, kwargs, _, _, tok_dir = MODELS[name]
    out = cache / ("hf-" + ("smollm2" if "smollm2" in name else name))
    if (out / "config.json").exists():
        return out
    import torch
    import transformers
    torch.manual_seed(1234)
    model = getattr(transformers, model_cls)(getattr(transformers, config_cls)(**kwargs)).eval()
    tmp = out.with_suffix(".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp, safe_serialization=True)
    for f in tok_dir.iterdir():
        if f.name.startswith("tokenizer"):
            shutil.copy(f, tmp / f.name)
    tmp.rename(out)
    return out


def genai_model(name: str, cache: Path) -> Path:
    name = EXPORT_OF.get(name, name)
    out = cache / f"genai-{name}"
    if (out / "genai_config.json").exists():
        return out
    if name in FLOAT_COMPUTE_OF:
        return float_compute_model(genai_model(FLOAT_COMPUTE_OF[name], cache), out)
    if name in DYNAMIC_INT8_OF:
        return dynamic_int8_model(genai_model(DYNAMIC_INT8_OF[name], cache), out)
    hf = hf_model(name, cache)
    tmp = out.with_suffix(".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    work = cache / "work"
    work.mkdir(parents=True, exist_ok=True)
    export_genai(hf, MODELS[name][3], tmp, work)
    for f in hf.iterdir():  # onnxgen reads the same tokenizer files the HF model has
        if f.name.startswith("tokenizer") and not (tmp / f.name).exists():
            shutil.copy(f, tmp / f.name)
    tmp.rename(out)
    return out


def float_compute_model(int4: Path, out: Path) -> Path:
    """The int4 export with every MatMulNBits at accuracy_level 0; its files hard-linked."""
    import onnx
    tmp = out.with_suffix(".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for f in int4.iterdir():
        if f.name != "model.onnx":
            os.link(f, tmp / f.name)
    model = onnx.load(str(int4 / "model.onnx"), load_external_data=False)
    for node in model.graph.node:
        if node.op_type == "MatMulNBits":
            for a in node.attribute:
                if a.name == "accuracy_level":
                    a.i = 0
    onnx.save(model, str(tmp / "model.onnx"))
    tmp.rename(out)
    return out


def dynamic_int8_model(fp32: Path, out: Path) -> Path:
    """The fp32 export's MatMuls quantised to int8 weights with dynamically quantised activations
    (DynamicQuantizeLinear + MatMulInteger); its other files hard-linked."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    tmp = out.with_suffix(".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for f in fp32.iterdir():
        if not f.name.startswith("model.onnx"):
            os.link(f, tmp / f.name)
    quantize_dynamic(str(fp32 / "model.onnx"), str(tmp / "model.onnx"), weight_type=QuantType.QInt8,
                     op_types_to_quantize=["MatMul"], use_external_data_format=True,
                     extra_options={"MatMulConstBOnly": True})
    tmp.rename(out)
    return out


def llama_cpp_source(cache: Path) -> Path:
    """llama.cpp's converter (with its gguf-py), from the sdist of the llama-cpp-python in use."""
    import llama_cpp
    src = cache / f"llama-cpp-python-{llama_cpp.__version__}"
    vendor = src / f"llama_cpp_python-{llama_cpp.__version__}" / "vendor" / "llama.cpp"
    if (vendor / "convert_hf_to_gguf.py").exists():
        return vendor
    dl = cache / "sdist"
    run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "-d", str(dl),
         f"llama-cpp-python=={llama_cpp.__version__}"], cache / "sdist.log")
    with tarfile.open(next(dl.glob(f"llama_cpp_python-{llama_cpp.__version__}.tar.gz"))) as tar:
        tar.extractall(src, filter="data")
    return vendor


def gguf_model(name: str, cache: Path) -> Path:
    gtype = MODELS[name][4]
    out = cache / f"gguf-{name}.gguf"
    if out.exists():
        return out
    hf = hf_model(name, cache)
    f32 = cache / f"gguf-{hf.name}-f32.gguf"
    if not f32.exists():
        src = llama_cpp_source(cache)
        env = dict(os.environ, PYTHONPATH=str(src / "gguf-py"), NO_LOCAL_GGUF="")
        run([sys.executable, str(src / "convert_hf_to_gguf.py"), str(hf), "--outtype", "f32", "--outfile",
             str(f32.with_suffix(".tmp"))], cache / f"{f32.name}.log", env)
        f32.with_suffix(".tmp").rename(f32)
    if gtype == "F32":
        return f32
    import llama_cpp
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = LLAMA_FTYPES[gtype]
    params.nthread = 2
    tmp = out.with_suffix(".tmp")
    if llama_cpp.llama_model_quantize(str(f32).encode(), str(tmp).encode(), params) != 0:
        raise RuntimeError(f"llama.cpp could not quantise {f32} to {gtype}")
    tmp.rename(out)
    return out


# ---- one measurement per subprocess: each prints a JSON object ----

def prompt_ids(vocab, n, seed):
    import numpy as np
    return np.random.default_rng(seed).integers(10, vocab - 1, size=n).tolist()


def measure_ort_genai(model_dir, prompt_len, gen, threads, repeat):
    import onnxruntime_genai as og
    config = og.Config(str(model_dir))
    config.overlay(json.dumps({"model": {"decoder": {"session_options": {
        "intra_op_num_threads": threads, "inter_op_num_threads": 1}}}}))
    t = time.perf_counter()
    model = og.Model(config)
    load_s = time.perf_counter() - t
    vocab = json.loads((Path(model_dir) / "genai_config.json").read_text())["model"]["vocab_size"]
    pp, tg, ttft = [], [], []
    for r in range(repeat + 1):
        params = og.GeneratorParams(model)
        params.set_search_options(do_sample=False, max_length=prompt_len + gen, min_length=prompt_len + gen)
        generator = og.Generator(model, params)
        ids = prompt_ids(vocab, prompt_len, r)
        t0 = time.perf_counter()
        generator.append_tokens(ids)
        generator.generate_next_token()  # selects the first token from the prompt's logits
        t1 = time.perf_counter()
        for _ in range(gen - 1):
            generator.generate_next_token()
        t2 = time.perf_counter()
        if generator.token_count() != prompt_len + gen:
            raise RuntimeError(f"onnxruntime-genai stopped at {generator.token_count()} tokens")
        if r:  # the first run warms up
            pp.append(prompt_len / (t1 - t0))
            tg.append((gen - 1) / (t2 - t1))
            ttft.append((t1 - t0) * 1e3)
    return dict(load_s=load_s, prefill_tok_s=statistics.median(pp), decode_tok_s=statistics.median(tg),
                ttft_ms=statistics.median(ttft))


def measure_llama_cpp(gguf, prompt_len, gen, threads, repeat):
    import numpy as np
    import llama_cpp
    t = time.perf_counter()
    llm = llama_cpp.Llama(model_path=str(gguf), n_ctx=prompt_len + gen + 16, n_batch=512, n_ubatch=512,
                          n_threads=threads, n_threads_batch=threads, logits_all=False, verbose=False)
    load_s = time.perf_counter() - t
    pp, tg, ttft = [], [], []
    for r in range(repeat + 1):
        llm.reset()
        ids = prompt_ids(llm.n_vocab(), prompt_len, r)
        t0 = time.perf_counter()
        llm.eval(ids)
        tok = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        t1 = time.perf_counter()
        for _ in range(gen - 1):
            llm.eval([tok])
            tok = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        t2 = time.perf_counter()
        if r:
            pp.append(prompt_len / (t1 - t0))
            tg.append((gen - 1) / (t2 - t1))
            ttft.append((t1 - t0) * 1e3)
    return dict(load_s=load_s, prefill_tok_s=statistics.median(pp), decode_tok_s=statistics.median(tg),
                ttft_ms=statistics.median(ttft))


def child(args):
    fn = {"ort-genai": measure_ort_genai, "llama.cpp": measure_llama_cpp}[args.child]
    result = fn(args.model_path, args.prompt_len, args.gen, args.threads, args.repeat)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def run_json(cmd, env=None):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {r.returncode}:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="*", default=DEFAULT_MODELS, choices=list(MODELS))
    ap.add_argument("--cache", type=Path, default=REPO / "build-bench-models")
    ap.add_argument("--onnxgen", type=Path, default=REPO / "build" / "cli" / "onnxgen")
    ap.add_argument("--prompt-len", type=int, default=128)
    ap.add_argument("--gen", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3, help="rounds; the table shows medians over them")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per runtime and round (after a warm-up)")
    ap.add_argument("--runtimes", nargs="*", default=["onnxgen", "ort-genai", "llama.cpp"])
    ap.add_argument("--json", type=Path, help="also write every measurement here")
    ap.add_argument("--child", choices=["ort-genai", "llama.cpp"], help=argparse.SUPPRESS)
    ap.add_argument("--model-path", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args)

    args.cache.mkdir(parents=True, exist_ok=True)
    if "llama.cpp" in args.runtimes:
        try:
            import llama_cpp  # noqa: F401
        except ImportError:
            print("llama-cpp-python is not in this venv (scripts/oracle_venv.sh --full): skipping llama.cpp",
                  file=sys.stderr)
            args.runtimes = [r for r in args.runtimes if r != "llama.cpp"]
    paths = {}
    for name in args.models:
        print(f"preparing {name} ...", file=sys.stderr, flush=True)
        paths[(name, "onnxgen")] = paths[(name, "ort-genai")] = genai_model(name, args.cache)
        if "llama.cpp" in args.runtimes and MODELS[name][4]:
            paths[(name, "llama.cpp")] = gguf_model(name, args.cache)

    # Each runtime keeps its own OpenMP wait policy: llama.cpp's OpenMP build synchronises every
    # op with spinning barriers and decodes 3-4x slower when made to sleep in them (as a shared
    # OMP_WAIT_POLICY=passive once did here); onnxgen sets its own for oneDNN.
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    env.pop("OMP_WAIT_POLICY", None)
    common = ["--prompt-len", str(args.prompt_len), "--gen", str(args.gen), "--repeat", str(args.repeat)]
    results = {}
    for rnd in range(args.rounds):
        for name in args.models:
            for rt in args.runtimes:
                if (name, rt) not in paths:
                    continue
                print(f"round {rnd + 1}/{args.rounds}: {name} on {rt}", file=sys.stderr, flush=True)
                if rt == "onnxgen":
                    cmd = [str(args.onnxgen), "bench", str(paths[(name, rt)]), "--threads", str(args.threads),
                           "--json"] + ONNXGEN_FLAGS.get(name, []) + common
                else:
                    cmd = [sys.executable, __file__, "--child", rt, "--model-path", str(paths[(name, rt)]),
                           "--threads", str(args.threads)] + common
                results.setdefault((name, rt), []).append(run_json(cmd, env))

    def med(name, rt, key):
        vals = [r[key] for r in results.get((name, rt), []) if key in r]
        return statistics.median(vals) if vals else None

    print(f"\nbatch 1, prompt {args.prompt_len}, {args.gen} generated, {args.threads} threads; "
          f"medians of {args.rounds} rounds x {args.repeat} runs")
    header = f"{'model':<22} {'runtime':<10} {'pp tok/s':>9} {'tg tok/s':>9} {'ttft ms':>8} {'rss MB':>7} {'load s':>7}"
    print(header + f" {'pp ratio':>9} {'tg ratio':>9}")
    for name in args.models:
        for rt in args.runtimes:
            if (name, rt) not in results:
                continue
            pp, tg = med(name, rt, "prefill_tok_s"), med(name, rt, "decode_tok_s")
            line = (f"{name:<22} {rt:<10} {pp:9.1f} {tg:9.2f} {med(name, rt, 'ttft_ms'):8.1f} "
                    f"{med(name, rt, 'peak_rss_mb'):7.0f} {med(name, rt, 'load_s'):7.3f}")
            if rt != "onnxgen" and (name, "onnxgen") in results:
                line += f" {med(name, 'onnxgen', 'prefill_tok_s') / pp:8.2f}x {med(name, 'onnxgen', 'decode_tok_s') / tg:8.2f}x"
            elif rt == "onnxgen":
                roof = med(name, rt, "roofline_fraction")
                line += f"   roofline {100 * roof:.0f}% of {med(name, rt, 'bandwidth_gb_s'):.1f} GB/s"
            print(line)
    print("(ratios: onnxgen / that runtime; above 1 means onnxgen is faster)")
    if args.json:
        args.json.write_text(json.dumps({f"{n}|{r}": v for (n, r), v in results.items()}, indent=1))


if __name__ == "__main__":
    main()
