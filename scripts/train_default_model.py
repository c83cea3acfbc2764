#!/usr/bin/env python3
"""Trains, exports and evaluates models/default: the small Shakespeare model onnxgen ships so that
a fresh checkout generates text with no download.

  .venv/bin/python scripts/train_default_model.py                  # models/default (659 steps)
  .venv/bin/python scripts/train_default_model.py --minutes 45     # as many steps as fit; made
                                                                   # models/default's 659 steps
  .venv/bin/python scripts/train_default_model.py --export-only    # re-export the last checkpoint

Stages, all deterministic for a given seed and step count on one CPU thread:
  1. split ../shared/data/tinyshakespeare.txt: the last 10% (from the first line start at or
     after 90% of the bytes) is held out for validation;
  2. a SentencePiece BPE tokenizer on the training part (byte fallback, <unk> <s> </s> <pad>),
     converted to tokenizer.json that encodes exactly like it;
  3. a Llama (Hugging Face LlamaForCausalLM) trained with AdamW and a cosine schedule;
  4. export with onnxruntime-genai's model builder (fp16, as scripts/make_fixtures.py does);
  5. validation perplexity by PyTorch and by ONNX Runtime on the exported model, written to
     eval.json in the form tests/models/default_model_test.cc recomputes with onnxgen.

Perplexity windows: the held-out ids are cut into consecutive windows of CONTEXT tokens (the
remainder is dropped); the model reads <s> followed by a window's first CONTEXT-1 tokens and is
scored on all CONTEXT tokens of the window, so every scored token is predicted exactly once.
Needs the venv of `scripts/oracle_venv.sh --full`.
"""
import argparse
import json
import math
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data" / "tinyshakespeare.txt"
SEED = 1234
VAL_FRACTION = 0.1
VOCAB_SIZE = 2000
UNK_ID, BOS_ID, EOS_ID, PAD_ID = 0, 1, 2, 3
CONTEXT = 256
BATCH = 16
SUBSET_WINDOWS = 16  # the part of the validation set the C++ test recomputes
WARMUP = 30  # steps of linear warm-up, then cosine decay to a tenth of the peak rate

# A scene: the user speaks as one character, the model answers as another. A message may name
# its speaker ("name"); a system message is a stage direction, printed as it is. Every training
# window starts with <s>, so the rendered prompt does too (callers encode it without specials).
CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ message['content'] }}\n\n"
    "{% else %}"
    "{% if message['name'] is defined %}{% set speaker = message['name'] %}"
    "{% elif message['role'] == 'user' %}{% set speaker = 'ROMEO' %}"
    "{% else %}{% set speaker = 'JULIET' %}{% endif %}"
    "{{ speaker | upper }}:\n{{ message['content'] }}\n\n"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}JULIET:\n{% endif %}"
)


def log(msg):
    print(msg, flush=True)


def split_text(text: str):
    """Training text, validation text and the byte offset where validation starts."""
    cut = text.index("\n", int(len(text) * (1 - VAL_FRACTION))) + 1
    return text[:cut], text[cut:], len(text[:cut].encode("utf-8"))


# ---- tokenizer ----

def train_tokenizer(train_text: str, out: Path):
    """SentencePiece BPE. Text is kept byte for byte (identity normalisation, spaces kept, no
    dummy prefix) so that a line-initial speaker name in a prompt encodes as in the corpus;
    newlines, never seen by the line-based trainer, fall back to the byte piece <0x0A>."""
    import sentencepiece as spm
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(train_text.split("\n")), model_prefix=str(out / "tokenizer"),
        model_type="bpe", vocab_size=VOCAB_SIZE, byte_fallback=True, character_coverage=1.0,
        unk_id=UNK_ID, bos_id=BOS_ID, eos_id=EOS_ID, pad_id=PAD_ID, pad_piece="<pad>",
        normalization_rule_name="identity", remove_extra_whitespaces=False, add_dummy_prefix=False,
        split_digits=True, num_threads=1, minloglevel=2)
    (out / "tokenizer.vocab").unlink()


def write_hf_tokenizer(out: Path):
    """tokenizer.json (the SentencePiece model as a tokenizers BPE) and tokenizer_config.json."""
    from sentencepiece import sentencepiece_model_pb2
    from tokenizers import processors
    from transformers import PreTrainedTokenizerFast
    from transformers.convert_slow_tokenizer import SpmConverter
    proto = sentencepiece_model_pb2.ModelProto()
    proto.ParseFromString((out / "tokenizer.model").read_bytes())
    backend = SpmConverter.build_tokenizer_from_spm_proto(proto, {p.piece: i for i, p in enumerate(proto.pieces)})
    backend.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", BOS_ID)])
    tok = PreTrainedTokenizerFast(tokenizer_object=backend, bos_token="<s>", eos_token="</s>",
                                  unk_token="<unk>", pad_token="<pad>")
    tok.save_pretrained(str(out))
    config = json.loads((out / "tokenizer_config.json").read_text())
    config.update({"tokenizer_class": "PreTrainedTokenizerFast", "add_bos_token": True, "add_eos_token": False,
                   "model_max_length": CONTEXT, "chat_template": CHAT_TEMPLATE})
    config.pop("backend", None)
    (out / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n")
    # Reloaded, so that what follows uses the files as written.
    from transformers import AutoTokenizer
    return AutoTokenizer.from_pretrained(str(out))


def check_tokenizers_agree(hf_dir: Path, hf, texts):
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=str(hf_dir / "tokenizer.model"))
    for text in texts:
        a = sp.encode(text)
        b = hf(text, add_special_tokens=False)["input_ids"]
        if a != b:
            first = next(i for i, (x, y) in enumerate(zip(a + [None], b + [None])) if x != y)
            raise SystemExit(f"tokenizer.json and tokenizer.model disagree at token {first} of {text[:60]!r}")
        if hf.decode(b) != text:
            raise SystemExit(f"tokenizer.json does not round-trip {text[:60]!r}")


# ---- model ----

def make_model(args):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM
    torch.manual_seed(args.seed)
    config = LlamaConfig(
        vocab_size=VOCAB_SIZE, hidden_size=args.hidden, intermediate_size=args.ffn,
        num_hidden_layers=args.layers, num_attention_heads=args.heads, num_key_value_heads=args.kv_heads,
        max_position_embeddings=CONTEXT, rope_theta=10000.0, rms_norm_eps=1e-5, tie_word_embeddings=True,
        bos_token_id=BOS_ID, eos_token_id=EOS_ID, pad_token_id=PAD_ID, initializer_range=0.02)
    return LlamaForCausalLM(config)


def windows(ids: np.ndarray):
    """[n, CONTEXT] targets and the matching inputs (<s> + all but the last target)."""
    n = len(ids) // CONTEXT
    targets = ids[: n * CONTEXT].reshape(n, CONTEXT)
    inputs = np.concatenate([np.full((n, 1), BOS_ID, dtype=ids.dtype), targets[:, :-1]], axis=1)
    return inputs, targets


def torch_nll(model, inputs, targets, batch=8):
    """Summed negative log-likelihood (nats) of the targets, in float64."""
    import torch
    total = 0.0
    model.eval()
    with torch.no_grad():
        for i in range(0, len(inputs), batch):
            x = torch.from_numpy(inputs[i:i + batch]).long()
            y = torch.from_numpy(targets[i:i + batch]).long()
            logits = model(input_ids=x).logits.double()
            total += torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1),
                                                       reduction="sum").item()
    model.train()
    return total


def lr_at(step, total, peak):
    if step < WARMUP:
        return peak * (step + 1) / WARMUP
    progress = min(1.0, (step - WARMUP) / max(1, total - WARMUP))
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def make_optimizer(model, args):
    import torch
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                              {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.95))


def train_step(model, opt, rng, train_ids, lr):
    import torch
    starts = rng.integers(0, len(train_ids) - CONTEXT, BATCH)
    y = np.stack([train_ids[s:s + CONTEXT] for s in starts])
    x = np.concatenate([np.full((BATCH, 1), BOS_ID, dtype=y.dtype), y[:, :-1]], axis=1)
    for group in opt.param_groups:
        group["lr"] = lr
    logits = model(input_ids=torch.from_numpy(x).long()).logits
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), torch.from_numpy(y).long().reshape(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    return loss.item()


def train(args, train_ids, val_inputs, val_targets, hf_dir: Path):
    import torch
    model = make_model(args)
    n_params = sum(p.numel() for p in model.parameters())
    log(f"model: {n_params:,} parameters, batches of {BATCH}x{CONTEXT} tokens, "
        + (f"{args.minutes} minutes" if args.minutes else f"{args.steps} steps"))
    opt = make_optimizer(model, args)
    rng = np.random.default_rng(args.seed)
    sub_in, sub_tg = val_inputs[:SUBSET_WINDOWS], val_targets[:SUBSET_WINDOWS]
    history, t0, running = [], time.time(), None
    step = 0
    while step < args.steps:
        if args.minutes and step == WARMUP:
            # The step count is fixed once, from the warm-up's pace, so that `--steps N` with the
            # count this run reports replays the same schedule and weights.
            per_step = (time.time() - t0) / WARMUP
            args.steps = WARMUP + int(max(0.0, args.minutes * 60 - (time.time() - t0)) * 0.9 / per_step)
            log(f"{per_step:.2f} s/step during warm-up: {args.steps} steps in all")
        loss = train_step(model, opt, rng, train_ids, lr_at(step, args.steps, args.lr))
        step += 1
        running = loss if running is None else 0.95 * running + 0.05 * loss
        if step % args.eval_every == 0 or step == args.steps:
            val = torch_nll(model, sub_in, sub_tg) / sub_tg.size
            history.append({"step": step, "train_loss": round(running, 4), "val_loss_subset": round(val, 4),
                            "minutes": round((time.time() - t0) / 60, 2)})
            log(f"step {step}/{args.steps}  train {running:.4f}  val(subset) {val:.4f}  "
                f"{(time.time() - t0) / 60:.1f} min")
    minutes = (time.time() - t0) / 60
    model.save_pretrained(str(hf_dir), safe_serialization=True)
    (hf_dir / "training.json").write_text(json.dumps({
        "seed": args.seed, "steps": args.steps, "batch": BATCH, "context": CONTEXT, "lr": args.lr,
        "weight_decay": args.weight_decay, "warmup": WARMUP, "minutes": round(minutes, 1),
        "parameters": n_params, "torch_threads": 1, "history": history}, indent=1) + "\n")


# ---- export and evaluation ----

def export(hf_dir: Path, work: Path, out: Path):
    exported = work / "export"
    shutil.rmtree(exported, ignore_errors=True)
    log_path = work / "builder.log"
    with open(log_path, "w") as f:
        # The builder has no fp16 CPU target; its CUDA fp16 graph uses only ops ORT's CPU runs too.
        r = subprocess.run([sys.executable, "-m", "onnxruntime_genai.models.builder", "-i", str(hf_dir),
                            "-o", str(exported), "-p", "fp16", "-e", "cuda", "-c", str(work / "genai_cache")],
                           stdout=f, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise SystemExit(f"model builder failed, see {log_path}:\n" + "\n".join(log_path.read_text().splitlines()[-15:]))
    for f in exported.iterdir():
        if f.name.startswith("model.onnx"):
            shutil.copy(f, out / f.name)
    config = json.loads((exported / "genai_config.json").read_text())
    # The graph runs on any execution provider; CUDA is only the builder's way to get fp16.
    config["model"]["decoder"]["session_options"]["provider_options"] = []
    config["search"].update({"do_sample": True, "temperature": 0.8, "top_k": 40, "top_p": 1.0,
                             "max_length": CONTEXT, "repetition_penalty": 1.0})
    (out / "genai_config.json").write_text(json.dumps(config, indent=4) + "\n")


def onnx_nll(model_path: Path, inputs, targets):
    """Summed NLL (nats) of the targets by ONNX Runtime on the exported model, one window a run."""
    import onnx
    import onnxruntime as ort
    graph = onnx.load(str(model_path), load_external_data=False).graph
    config = json.loads((model_path.parent / "genai_config.json").read_text())["model"]["decoder"]
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(model_path), so, providers=["CPUExecutionProvider"])
    total = 0.0
    for x, y in zip(inputs, targets):
        feeds = {}
        for vi in graph.input:
            dtype = onnx.helper.tensor_dtype_to_np_dtype(vi.type.tensor_type.elem_type)
            if vi.name == "input_ids":
                feeds[vi.name] = x.reshape(1, -1).astype(dtype)
            elif vi.name == "attention_mask":
                feeds[vi.name] = np.ones((1, len(x)), dtype=dtype)
            elif vi.name == "position_ids":
                feeds[vi.name] = np.arange(len(x), dtype=dtype).reshape(1, -1)
            elif vi.name.startswith("past_key_values"):
                feeds[vi.name] = np.zeros((1, config["num_key_value_heads"], 0, config["head_size"]), dtype=dtype)
            else:
                raise SystemExit(f"exported model has an input this script does not feed: {vi.name}")
        logits = sess.run(["logits"], feeds)[0][0].astype(np.float64)
        m = logits.max(axis=-1, keepdims=True)
        logz = (m + np.log(np.exp(logits - m).sum(axis=-1, keepdims=True)))[:, 0]
        total += float((logz - logits[np.arange(len(y)), y]).sum())
    return total


def perplexity_entry(nll, tokens):
    return {"val_loss": round(nll / tokens, 6), "val_perplexity": round(math.exp(nll / tokens), 6)}


def evaluate(hf_dir: Path, out: Path, val_ids, val_start_byte):
    from transformers import LlamaForCausalLM
    model = LlamaForCausalLM.from_pretrained(str(hf_dir)).float()
    val_inputs, val_targets = windows(val_ids)
    n = len(val_targets)
    full_nll = torch_nll(model, val_inputs, val_targets)
    sub_nll = torch_nll(model, val_inputs[:SUBSET_WINDOWS], val_targets[:SUBSET_WINDOWS])
    onnx_full = onnx_nll(out / "model.onnx", val_inputs, val_targets)
    onnx_sub = onnx_nll(out / "model.onnx", val_inputs[:SUBSET_WINDOWS], val_targets[:SUBSET_WINDOWS])
    result = {
        "corpus": "tinyshakespeare.txt", "val_start_byte": val_start_byte, "val_text_tokens": len(val_ids),
        "add_bos": True,
        "context": CONTEXT, "stride": CONTEXT, "windows": n, "val_tokens": n * CONTEXT,
        **perplexity_entry(full_nll, n * CONTEXT),
        "onnxruntime": perplexity_entry(onnx_full, n * CONTEXT),
        "subset": {"windows": SUBSET_WINDOWS, "val_tokens": SUBSET_WINDOWS * CONTEXT,
                   **perplexity_entry(sub_nll, SUBSET_WINDOWS * CONTEXT),
                   "onnxruntime": perplexity_entry(onnx_sub, SUBSET_WINDOWS * CONTEXT)},
    }
    (out / "eval.json").write_text(json.dumps(result, indent=2) + "\n")
    log(json.dumps(result, indent=2))


def main():
    import torch
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=659)
    p.add_argument("--minutes", type=float, help="instead of --steps: as many steps as fit in this many "
                   "minutes at the warm-up's pace (the count is logged and kept in training.json)")
    p.add_argument("--export-only", action="store_true", help="skip training; export WORK/hf")
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--ffn", type=int, default=768)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--kv-heads", type=int, default=2)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--eval-every", type=int, default=50)
    p.add_argument("--data", type=Path, default=DATA)
    p.add_argument("--work", type=Path, default=REPO / "build-train" / "default_model")
    p.add_argument("--out", type=Path, default=REPO / "models" / "default")
    args = p.parse_args()
    # The machine is shared; one thread also makes the run reproducible.
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)

    train_text, val_text, val_start_byte = split_text(args.data.read_text(encoding="utf-8"))
    hf_dir = args.work / "hf"
    hf_dir.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.export_only:
        train_tokenizer(train_text, hf_dir)
    hf_tok = write_hf_tokenizer(hf_dir)
    check_tokenizers_agree(hf_dir, hf_tok, [val_text, train_text[:200_000], "ROMEO:\nO  Romeo,\twherefore?\n\n"])
    train_ids = np.asarray(hf_tok(train_text, add_special_tokens=False)["input_ids"], dtype=np.int64)
    val_ids = np.asarray(hf_tok(val_text, add_special_tokens=False)["input_ids"], dtype=np.int64)
    log(f"train {len(train_ids):,} tokens, validation {len(val_ids):,} tokens ({len(val_text):,} chars)")
    val_inputs, val_targets = windows(val_ids)
    if not args.export_only:
        train(args, train_ids, val_inputs, val_targets, hf_dir)
    for f in ("tokenizer.model", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        if (hf_dir / f).exists():
            shutil.copy(hf_dir / f, args.out / f)
    export(hf_dir, args.work, args.out)
    shutil.copy(hf_dir / "training.json", args.out / "training.json")
    evaluate(hf_dir, args.out, val_ids, val_start_byte)


if __name__ == "__main__":
    main()
