#!/usr/bin/env python3
"""Builds the real-export fixtures under tests/fixtures/models/ and their ONNX Runtime outputs.

Each fixture is a tiny random-weight Hugging Face model (made from a config, never downloaded)
exported by onnxruntime-genai's model builder or by Optimum, plus the project's own tokenizer and
what ONNX Runtime computes for a fixed prefill and greedy decode steps that feed present KV back
as past KV. Every step is stored in ONNX's backend-test layout, so
`onnxgen exec FIXTURE/model.onnx --data FIXTURE/step_K --out X` reproduces step_K/output_*.pb:

  <fixture>/model.onnx[.data], tokenizer.json, tokenizer_config.json, fixture.json
  <fixture>/step_<k>/input_<i>.pb   graph inputs that are not initializers, in graph order
  <fixture>/step_<k>/output_<i>.pb  graph outputs, in graph order

A fixture's name ends in its precision (fp32, fp16, int4), which picks the parity tolerance.

  scripts/make_fixtures.py                      # every family and exporter that works here
  scripts/make_fixtures.py --only llama qwen2   # some families
  scripts/make_fixtures.py --shared-out DIR     # also ../shared/models, whose outputs must
                                                # stay out of the repository (use a build dir)
Needs the venv of `scripts/oracle_venv.sh --full`.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import traceback
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
PROMPT = "First Citizen:\nBefore we proceed"
PREFILL_TOKENS = 5
DECODE_STEPS = 3
SEED = 1234
VOCAB_SIZE = 512

# Small enough that a fixture is well under a megabyte, large enough for GQA (4 query heads
# sharing 2 KV heads), two layers of cache and int4 blocks of 32.
COMMON = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
              num_key_value_heads=2, max_position_embeddings=256, vocab_size=VOCAB_SIZE,
              bos_token_id=1, eos_token_id=2, pad_token_id=0)


def family_configs():
    """(family, transformers config class name, model class name, config kwargs)."""
    return [
        ("llama", "LlamaConfig", "LlamaForCausalLM", dict(COMMON)),
        # The model builder windows only layers that layer_types marks; Mistral windows them all.
        ("mistral", "MistralConfig", "MistralForCausalLM",
         dict(COMMON, sliding_window=4, layer_types=["sliding_attention"] * COMMON["num_hidden_layers"])),
        ("qwen2", "Qwen2Config", "Qwen2ForCausalLM", dict(COMMON, use_sliding_window=False)),
        ("qwen3", "Qwen3Config", "Qwen3ForCausalLM", dict(COMMON, head_dim=16)),
        ("phi3", "Phi3Config", "Phi3ForCausalLM", dict(COMMON, original_max_position_embeddings=256)),
        ("gemma2", "Gemma2Config", "Gemma2ForCausalLM",
         dict(COMMON, head_dim=16, attn_logit_softcapping=50.0, final_logit_softcapping=30.0,
              sliding_window=4, query_pre_attn_scalar=16)),
        ("gpt2", "GPT2Config", "GPT2LMHeadModel",
         dict(n_embd=64, n_inner=128, n_layer=2, n_head=4, n_positions=256, vocab_size=VOCAB_SIZE,
              bos_token_id=1, eos_token_id=2)),
    ]


# (family, exporter, precision): what is attempted; failures are reported, not fatal.
EXPORTS = [(f, "genai", "fp32") for f, *_ in family_configs()] + \
          [("llama", "genai", "int4"), ("qwen2", "genai", "int4"), ("qwen2", "genai", "fp16")] + \
          [(f, "optimum", "fp32") for f, *_ in family_configs()]


def train_tokenizer(corpus: Path, out_dir: Path):
    """A byte-level BPE of the project's own, so fixtures carry no third-party vocabulary."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB_SIZE, special_tokens=["<pad>", "<s>", "</s>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train([str(corpus)], trainer)
    out_dir.mkdir(parents=True, exist_ok=True)
    tok.save(str(out_dir / "tokenizer.json"))
    (out_dir / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<s>", "eos_token": "</s>",
        "pad_token": "<pad>", "unk_token": None, "model_max_length": 256, "clean_up_tokenization_spaces": False,
    }, indent=2) + "\n")
    return tok


def make_hf_model(family, config_cls, model_cls, kwargs, tok_dir: Path, out_dir: Path):
    import torch
    import transformers
    torch.manual_seed(SEED)
    config = getattr(transformers, config_cls)(**kwargs)
    model = getattr(transformers, model_cls)(config).eval()
    # Random init leaves some weights at exactly 0 or 1 (norms, biases); perturb them so every
    # parameter takes part in the comparison.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1:
                p.add_(torch.randn_like(p) * 0.1)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(tok_dir / f, out_dir / f)


def run(cmd, log: Path, env=None):
    with open(log, "w") as f:
        r = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, env=env)
    if r.returncode != 0:
        tail = log.read_text().strip().splitlines()[-15:]
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {r.returncode}:\n  " + "\n  ".join(tail))


def export_genai(hf_dir: Path, precision: str, out: Path, work: Path):
    cache = work / "genai_cache"
    # The builder has no fp16 CPU target; its CUDA fp16 graph uses only ops ORT's CPU runs too.
    ep = "cuda" if precision == "fp16" else "cpu"
    run([sys.executable, "-m", "onnxruntime_genai.models.builder", "-i", str(hf_dir), "-o", str(out),
         "-p", precision, "-e", ep, "-c", str(cache)], work / f"{out.name}.log")


def export_optimum(hf_dir: Path, out: Path, work: Path):
    # Optimum needs transformers<4.58, kept in an overlay of the venv (see oracle_venv.sh).
    overlay = Path(sys.prefix) / "optimum-overlay"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(overlay), os.environ.get("PYTHONPATH")])))
    run([sys.executable, "-m", "optimum.commands.optimum_cli", "export", "onnx", "--model", str(hf_dir),
         "--task", "text-generation-with-past", str(out)], work / f"{out.name}.log", env)


# ---- inputs for a decoder step, from the graph's declared inputs (shared with parity.py) ----

def elem_np_dtype(elem_type):
    return onnx.helper.tensor_dtype_to_np_dtype(elem_type)


def feed_inputs(model: onnx.ModelProto):
    """Graph inputs that are not initializers, in graph order."""
    inits = {i.name for i in model.graph.initializer}
    return [i for i in model.graph.input if i.name not in inits]


def vocab_size(model: onnx.ModelProto, default=100):
    """The logits' last dim, else the rows of the embedding that input_ids index."""
    for out in model.graph.output:
        dims = out.type.tensor_type.shape.dim
        if "logits" in out.name and dims and dims[-1].dim_value > 0:
            return int(dims[-1].dim_value)
    inits = {i.name: i for i in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type in ("Gather", "GatherBlockQuantized") and len(node.input) > 1 \
                and node.input[1] == "input_ids" and node.input[0] in inits:
            return int(inits[node.input[0]].dims[0])
    return default


def known_dims(model_path: Path):
    """Symbolic dims that the graph alone does not pin, from the model builder's genai_config.json:
    the KV head size `kv_cache_dim`, and the capacity of a sliding-window layer's ring-buffer
    cache (`past_sliding_length`, fixed whatever the position)."""
    config = model_path.parent / "genai_config.json"
    if not config.exists():
        return {}
    decoder = json.loads(config.read_text())["model"]["decoder"]
    dims = {"kv_cache_dim": decoder["head_size"]} if "head_size" in decoder else {}
    if window := decoder.get("sliding_window"):
        dims["past_sliding_length"] = window["window_size"] + window.get("cache_slack", 0)
    return dims


def is_past(name):
    return "past" in name and name not in ("past_sequence_length",)


def step_feeds(model: onnx.ModelProto, tokens, past: dict, past_len: int, named_dims=None, rng=None):
    """Inputs for one step: `tokens` new ids after `past_len` cached positions. `past` maps past
    input names to arrays; missing ones have `past_len` positions of random values (`rng`), or
    start empty. `named_dims` gives symbolic dims that are neither batch nor sequence (known_dims)."""
    named_dims = named_dims or {}
    seq = len(tokens)
    total = past_len + seq
    feeds = {}
    for vi in feed_inputs(model):
        name, dtype = vi.name, elem_np_dtype(vi.type.tensor_type.elem_type)
        dims = vi.type.tensor_type.shape.dim

        def shape(symbolic):
            return [d.dim_value if d.dim_value > 0 else named_dims.get(d.dim_param) or symbolic(d.dim_param)
                    for d in dims]
        if name == "input_ids":
            feeds[name] = np.asarray(tokens, dtype=dtype).reshape(1, seq)
        elif name == "attention_mask":
            feeds[name] = np.ones((1, total), dtype=dtype)
        elif name in ("position_ids", "cache_position"):
            pos = np.arange(past_len, total, dtype=dtype)
            feeds[name] = pos.reshape(1, seq) if len(dims) == 2 else pos
        elif is_past(name):
            if name in past:
                feeds[name] = past[name]
            elif past_len and rng is not None:
                feeds[name] = rng.standard_normal(shape(lambda p: 1 if "batch" in p else past_len)).astype(dtype)
            else:
                feeds[name] = np.zeros(shape(lambda p: 1 if "batch" in p else 0), dtype=dtype)
        else:
            def sym(p):
                return 1 if "batch" in p else total if "total" in p else seq
            if rng is None:
                raise ValueError(f"don't know how to feed input '{name}'")
            s = shape(sym)
            if np.issubdtype(dtype, np.floating):
                feeds[name] = rng.standard_normal(s).astype(dtype)
            elif dtype == np.bool_:
                feeds[name] = rng.integers(0, 2, s).astype(dtype)
            else:
                feeds[name] = rng.integers(0, 4, s).astype(dtype)
    return feeds


def present_to_past(model: onnx.ModelProto):
    """Output name → the past input it feeds on the next step."""
    outs = {o.name for o in model.graph.output}
    mapping = {}
    for vi in feed_inputs(model):
        if not is_past(vi.name):
            continue
        for cand in (vi.name.replace("past_key_values", "present"), vi.name.replace("past", "present")):
            if cand in outs:
                mapping[cand] = vi.name
                break
        else:
            raise ValueError(f"no present output for '{vi.name}'")
    return mapping


def save_step(model: onnx.ModelProto, feeds: dict, outputs: list, step_dir: Path):
    step_dir.mkdir(parents=True, exist_ok=True)
    for k, vi in enumerate(feed_inputs(model)):
        onnx.save_tensor(numpy_helper.from_array(feeds[vi.name], vi.name), str(step_dir / f"input_{k}.pb"))
    for k, (vi, value) in enumerate(zip(model.graph.output, outputs)):
        onnx.save_tensor(numpy_helper.from_array(np.asarray(value), vi.name), str(step_dir / f"output_{k}.pb"))


def record_steps(model_path: Path, prompt_ids, out_dir: Path):
    """Runs prefill + DECODE_STEPS greedy steps with ONNX Runtime and stores every step."""
    import onnxruntime as ort
    model = onnx.load(str(model_path), load_external_data=False)
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(model_path), so, providers=["CPUExecutionProvider"])
    out_names = [o.name for o in model.graph.output]
    feedback = present_to_past(model)
    tokens, past, past_len = list(prompt_ids), {}, 0
    generated = []
    for step in range(DECODE_STEPS + 1):
        feeds = step_feeds(model, tokens, past, past_len, known_dims(model_path))
        outputs = sess.run(out_names, feeds)
        save_step(model, feeds, outputs, out_dir / f"step_{step}")
        logits = np.asarray(outputs[out_names.index("logits")], dtype=np.float32)
        past = {feedback[n]: v for n, v in zip(out_names, outputs) if n in feedback}
        past_len += len(tokens)
        tokens = [int(np.argmax(logits[0, -1]))]
        generated.append(tokens[0])
    return generated


def copy_model(src_dir: Path, dst: Path, tok_dir: Path):
    dst.mkdir(parents=True, exist_ok=True)
    for f in src_dir.iterdir():
        if f.name.startswith("model.onnx") or f.name in ("genai_config.json", "config.json", "generation_config.json"):
            shutil.copy(f, dst / f.name)
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(tok_dir / f, dst / f)


def make_fixture(family, exporter, precision, hf_dir, tok, tok_dir, out_root: Path, work: Path):
    name = f"{family}-{exporter}-{precision}"
    exported = work / "export" / name
    shutil.rmtree(exported, ignore_errors=True)
    if exporter == "genai":
        export_genai(hf_dir, precision, exported, work)
    else:
        export_optimum(hf_dir, exported, work)
    dst = out_root / name
    shutil.rmtree(dst, ignore_errors=True)
    copy_model(exported, dst, tok_dir)
    prompt_ids = tok.encode(PROMPT).ids[:PREFILL_TOKENS]
    generated = record_steps(dst / "model.onnx", prompt_ids, dst)
    model = onnx.load(str(dst / "model.onnx"), load_external_data=False)
    ops = sorted({(n.domain or "ai.onnx") + "." + n.op_type for n in model.graph.node})
    (dst / "fixture.json").write_text(json.dumps({
        "family": family, "exporter": exporter, "precision": precision, "seed": SEED,
        "prompt_ids": prompt_ids, "generated_ids": generated,
        "opsets": {(o.domain or "ai.onnx"): o.version for o in model.opset_import}, "ops": ops,
    }, indent=1) + "\n")
    return name


def make_shared(tok, out_root: Path):
    """../shared models: expected outputs go to out_root (a build dir), never the repository."""
    made = []
    for name, file in (("gpt2-tiny-random", "past.onnx"), ("qwen3.5-tiny-gqa", "decoder.onnx")):
        model_path = SHARED / "models" / name / file
        if not model_path.exists():
            print(f"skip shared/{name}: {model_path} not found")
            continue
        model = onnx.load(str(model_path), load_external_data=False)
        vocab = vocab_size(model)
        prompt_ids = [t % vocab for t in tok.encode(PROMPT).ids[:PREFILL_TOKENS]]
        dst = out_root / name
        shutil.rmtree(dst, ignore_errors=True)
        record_steps(model_path, prompt_ids, dst)
        (dst / "model_path.txt").write_text(str(model_path) + "\n")
        made.append(name)
    return made


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=REPO / "tests" / "fixtures" / "models")
    ap.add_argument("--work", type=Path, default=Path("/tmp/onnxgen-fixtures"))
    ap.add_argument("--corpus", type=Path, default=SHARED / "data" / "tinyshakespeare.txt")
    ap.add_argument("--only", nargs="*", help="families to build (default: all)")
    ap.add_argument("--exporters", nargs="*", default=["genai", "optimum"])
    ap.add_argument("--shared-out", type=Path, help="also record ../shared/models into this dir")
    ap.add_argument("--no-repo", action="store_true", help="skip the committed fixtures")
    args = ap.parse_args()

    args.work.mkdir(parents=True, exist_ok=True)
    tok_dir = args.work / "tokenizer"
    tok = train_tokenizer(args.corpus, tok_dir)
    results = []
    if not args.no_repo:
        configs = {f: (c, m, kw) for f, c, m, kw in family_configs()}
        built = set()
        for family, exporter, precision in EXPORTS:
            if (args.only and family not in args.only) or exporter not in args.exporters:
                continue
            hf_dir = args.work / "hf" / family
            try:
                if family not in built:
                    shutil.rmtree(hf_dir, ignore_errors=True)
                    make_hf_model(family, *configs[family], tok_dir, hf_dir)
                    built.add(family)
                name = make_fixture(family, exporter, precision, hf_dir, tok, tok_dir, args.out, args.work)
                results.append((f"{family}-{exporter}-{precision}", "ok"))
                print(f"made {name}", flush=True)
            except Exception as e:  # one exporter failing must not stop the others
                msg = str(e).strip().splitlines()
                results.append((f"{family}-{exporter}-{precision}", "FAILED: " + " | ".join(msg[-3:])))
                print(f"FAILED {family}-{exporter}-{precision}:\n{traceback.format_exc()}", flush=True)
                shutil.rmtree(args.out / f"{family}-{exporter}-{precision}", ignore_errors=True)
    if args.shared_out:
        for name in make_shared(tok, args.shared_out):
            results.append((f"shared/{name}", "ok"))
    print("\nsummary:")
    for name, status in results:
        print(f"  {name}: {status}")


if __name__ == "__main__":
    main()
