#!/usr/bin/env python3
"""Regenerates tests/tokenizer/data/tokenizer_extra_cases.jsonl: encode/decode results of the
real tokenizers in ../shared/tokenizers for inputs beyond ../shared's goldens (rare whitespace,
joiners, combining marks, other scripts' digits, case-insensitive contractions, seeded random
mixtures), from the Rust `tokenizers` package and, for tokenizer.model, the `sentencepiece`
package. Only texts and ids are stored; the tokenizer files stay in ../shared.

Run with the oracle virtualenv: .venv/bin/python scripts/tokenizer_make_extra_cases.py
"""
import json
import pathlib
import random

import sentencepiece
from tokenizers import Tokenizer

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "tokenizers"

TEXTS = [
    "NEL\u0085line sep\u2028para sep\u2029nbsp\u00a0ideographic\u3000end",
    "zero\u200bwidth joiner\u200dnon\u200cjoiner",
    "I'S HE'LL WE'VE THEY'RE I'M IT'D DON'T",
    "combining e\u0301\u0302 o\u0308 \u0915\u094d\u0937 \u0627\u064e",
    "digits \u0663\u0664\u0665 \u0967\u0968 \uff11\uff12 \u2460 \u00bd 12345678901234567890",
    "Hangul 한국어 텍스트, Thai ภาษาไทย, Arabic مرحبا بالعالم, Hebrew שלום",
    "tabs\t\t\tand  \t spaces \n \n\n  \r\n\r\nCRLF",
    "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>",
    "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>",
    "<start_of_turn>user\nhi<end_of_turn>\n<bos><eos><pad>",
    "<s> [INST] <<SYS>>\nsys\n<</SYS>>\n\nhi [/INST] ok </s>",
    "<|endoftext|>after end<|endoftext|>",
    "   ",
    "\n",
    "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n",
    " " * 70 + "x",
    "a" * 300,
    "🏳️‍🌈👨‍👩‍👧‍👦🧑🏿‍🚀 emoji sequences",
    "mixed日本語English한국어123中文!?",
    "String with \"quotes\" and 'apostrophes' and `backticks`",
    "C:\\path\\to\\file.txt and /usr/bin/env python3",
    "print(f\"{x!r:>10}\")  # comment\n\tif x: return {'a': [1, 2]}",
    "\u00e9\u00e9\u00e9 vs e\u0301e\u0301e\u0301 (NFC vs NFD)",
    "\ufb01\ufb02 ligatures and \u2126 ohm and \u212b angstrom",
    "control\x01\x02\x7f chars",
]

POOL = (list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        + list(" \t\n\r.,;:!?'\"()[]{}<>-_=+*/\\|@#$%^&~`")
        + ["\u00a0", "\u0085", "\u2028", "\u3000", "\u200d", "\u0301", "é", "ß", "日", "本", "한", "ค", "م", "٣", "😀", "🏽",
           "👍", "\u2581", "<s>", "</s>", "<|im_start|>", "<bos>", "  ", "\n\n", "'s", "'LL", "1234"])


def random_texts(count, seed=1234):
    rng = random.Random(seed)
    return ["".join(rng.choice(POOL) for _ in range(rng.randint(1, 40))) for _ in range(count)]


def main():
    texts = TEXTS + random_texts(60)
    out = ROOT / "tests" / "tokenizer" / "data" / "tokenizer_extra_cases.jsonl"
    count = 0
    with out.open("w") as f:
        for model in ["gpt2", "llama3", "qwen3", "gemma3", "sp-bpe-32k"]:
            tok = Tokenizer.from_file(str(SHARED / model / "tokenizer.json"))
            for text in texts:
                ids = tok.encode(text, add_special_tokens=False).ids
                with_special = tok.encode(text).ids
                f.write(json.dumps({"model": model, "text": text, "ids": ids, "ids_with_special": with_special,
                                    "decoded": tok.decode(with_special, skip_special_tokens=False),
                                    "decoded_skip_special": tok.decode(with_special, skip_special_tokens=True)},
                                   ensure_ascii=False) + "\n")
                count += 1
        sp = sentencepiece.SentencePieceProcessor(model_file=str(SHARED / "llama2-sentencepiece" / "tokenizer.model"))
        for text in texts:
            ids = sp.encode(text)
            f.write(json.dumps({"model": "llama2-sentencepiece", "text": text, "ids": ids,
                                "decoded_skip_special": sp.decode(ids)}, ensure_ascii=False) + "\n")
            count += 1
    print(f"wrote {count} cases to {out}")


if __name__ == "__main__":
    main()
