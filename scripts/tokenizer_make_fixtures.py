#!/usr/bin/env python3
"""Regenerates the small tokenizer fixtures in tests/tokenizer/data/fixtures/ and their expected
outputs (fixture_cases.jsonl), so the C++ suite checks every tokenizer.json component against the
Rust `tokenizers` package without needing ../shared.

Each fixture is trained here on a built-in corpus, so its contents are the project's own.
Run with the oracle virtualenv: .venv/bin/python scripts/tokenizer_make_fixtures.py
"""
import json
import pathlib

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "tokenizer" / "data"

CORPUS = [
    "The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs!",
    "Tokenizers split text into pieces: words, sub-words and bytes. Numbers like 2024, 3.14 and 1,000,000 too.",
    "Café, naïve, résumé — accents matter. Ünïcödé text and CJK 日本語 テキスト 中文.",
    "def encode(text):\n    return [ord(c) for c in text]\n\nprint(encode('hi'))",
    "Hello, world! How are you today? I'm fine, thanks; you're kind. Don't worry.",
    "email me at someone@example.com or visit https://example.com/path?q=1&x=2#frag",
    "   leading and trailing spaces   \t tabs\tand\nnewlines\r\n",
    "ThisIsCamelCase and snake_case_words and SCREAMING_CASE 42x",
] * 20

TEXTS = [
    "Hello world",
    "The quick brown fox jumps over the lazy dog.",
    "  leading spaces and trailing   ",
    "multiple\n\nnewlines\tand\ttabs\r\n",
    "Numbers 2024 3.14159 1,000,000 x42y",
    "Café naïve ÜNÏCÖDÉ résumé",
    "日本語のテキスト 中文分词",
    "Emoji 😀👍🏽 🇫🇷 zwj 👩‍👩‍👧",
    "don't can't I'm you're we'll",
    "<s>special</s> <mask> tokens [CLS] x [SEP]",
    "word<mask>word and <mask> alone and  <mask>  spaced",
    "snake_case_words CamelCase",
    "a",
    "",
    " ",
    "Ω≈ç√∫ ¡™£¢∞§¶ NBSP\u00a0here ideographic\u3000space",
    "e\u0301 vs \u00e9 and ﬁ ligature ① Ⅻ",
]


def train(tok, trainer):
    tok.train_from_iterator(CORPUS, trainer)
    return tok


def byte_level_bpe():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    train(tok, trainers.BpeTrainer(vocab_size=400, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                   special_tokens=["<|endoftext|>"]))
    tok.add_special_tokens([AddedToken("<s>", special=True), AddedToken("</s>", special=True)])
    tok.add_tokens([AddedToken("<mask>", lstrip=True, rstrip=True, special=False, normalized=False)])
    return tok


def tiktoken_style_bpe():
    tok = Tokenizer(models.BPE(ignore_merges=True))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"),
                             behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    train(tok, trainers.BpeTrainer(vocab_size=500, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                   special_tokens=["<|begin|>", "<|end|>"]))
    tok.post_processor = processors.TemplateProcessing(single="<|begin|> $A <|end|>", special_tokens=[
        ("<|begin|>", tok.token_to_id("<|begin|>")), ("<|end|>", tok.token_to_id("<|end|>"))])
    tok.add_tokens([AddedToken("<mask>", single_word=True, normalized=True)])
    return tok


def sentencepiece_bpe():
    tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                     decoders.Strip(content=" ", left=1)])
    byte_tokens = [f"<0x{b:02X}>" for b in range(256)]
    train(tok, trainers.BpeTrainer(vocab_size=700, special_tokens=["<unk>", "<s>", "</s>"] + byte_tokens,
                                   limit_alphabet=60))
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 1)])
    tok.add_tokens([AddedToken("<mask>", rstrip=True)])
    return tok


def unigram():
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(prepend_scheme="first")
    tok.decoder = decoders.Metaspace(prepend_scheme="first")
    train(tok, trainers.UnigramTrainer(vocab_size=300, special_tokens=["<pad>", "</s>", "<unk>"], unk_token="<unk>"))
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 1)])
    tok.add_special_tokens([AddedToken("<mask>", lstrip=True, special=True)])
    return tok


def wordpiece():
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    train(tok, trainers.WordPieceTrainer(vocab_size=400, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]))
    tok.post_processor = processors.BertProcessing(("[SEP]", tok.token_to_id("[SEP]")), ("[CLS]", tok.token_to_id("[CLS]")))
    return tok


def mixed_pipeline():
    tok = Tokenizer(models.BPE(unk_token="[UNK]", continuing_subword_prefix="##", end_of_word_suffix="</w>"))
    tok.normalizer = normalizers.Sequence([normalizers.NFD(), normalizers.StripAccents(), normalizers.Lowercase(),
                                           normalizers.Strip(left=True, right=True)])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(),
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.Punctuation(behavior="isolated"),
        pre_tokenizers.Split("_", behavior="merged_with_previous"),
        pre_tokenizers.Split(Regex("[A-Z]"), behavior="merged_with_next"),
    ])
    tok.decoder = decoders.Sequence([decoders.BPEDecoder(suffix="</w>")])
    train(tok, trainers.BpeTrainer(vocab_size=500, special_tokens=["[UNK]", "<s>", "</s>"],
                                   continuing_subword_prefix="##", end_of_word_suffix="</w>"))
    tok.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 1))
    return tok


def whitespace_wordpiece():
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Whitespace(), pre_tokenizers.Digits(individual_digits=False),
                                                 pre_tokenizers.Split(Regex(r"\p{Lu}"), behavior="contiguous")])
    tok.decoder = decoders.WordPiece(cleanup=False)
    train(tok, trainers.WordPieceTrainer(vocab_size=300, special_tokens=["[UNK]"]))
    return tok


FIXTURES = {
    "byte_level_bpe": byte_level_bpe,
    "tiktoken_style_bpe": tiktoken_style_bpe,
    "sentencepiece_bpe": sentencepiece_bpe,
    "unigram": unigram,
    "wordpiece": wordpiece,
    "mixed_pipeline": mixed_pipeline,
    "whitespace_wordpiece": whitespace_wordpiece,
}


def main():
    cases = []
    for name, build in FIXTURES.items():
        tok = build()
        path = OUT / "fixtures" / f"{name}.json"
        tok.save(str(path))
        tok = Tokenizer.from_file(str(path))
        for text in TEXTS:
            ids = tok.encode(text, add_special_tokens=False).ids
            cases.append({
                "fixture": name,
                "text": text,
                "ids": ids,
                "ids_with_special": tok.encode(text).ids,
                "decoded": tok.decode(tok.encode(text).ids, skip_special_tokens=False),
                "decoded_skip_special": tok.decode(tok.encode(text).ids, skip_special_tokens=True),
            })
    with (OUT / "fixture_cases.jsonl").open("w") as f:
        for c in cases:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    print(f"wrote {len(FIXTURES)} fixtures and {len(cases)} cases")


if __name__ == "__main__":
    main()
