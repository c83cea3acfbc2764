#!/usr/bin/env python3
"""Regenerates tests/tokenizer/data/chat_extra_cases.jsonl: conversations beyond ../shared's
goldens (tools, tool calls, reasoning, empty content, list content, errors) rendered by
transformers' apply_chat_template with the real Llama-3, Qwen3 and Gemma3 templates from
../shared/tokenizers. Only messages and outputs are stored; the templates stay in ../shared.

Run with the oracle virtualenv: .venv/bin/python scripts/tokenizer_make_chat_cases.py
"""
import json
import pathlib

from transformers import AutoTokenizer

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "tokenizers"

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string", "description": "City name"}, "unit": {"type": "string", "enum": ["c", "f"]}},
                "required": ["city"],
            },
        },
    }
]

COMMON = [
    ("system_user", [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Hi"}], {}),
    ("multi_turn", [
        {"role": "user", "content": "What is 2+2?"},
        {"role": "assistant", "content": "4"},
        {"role": "user", "content": "And 3+3?"},
        {"role": "assistant", "content": "6"},
        {"role": "user", "content": "Thanks"},
    ], {}),
    ("empty_content", [{"role": "user", "content": ""}], {}),
    ("unicode", [{"role": "user", "content": "Grüß dich! 你好 👋🏽 \"quotes\" and \\ backslash"}], {}),
    ("no_generation_prompt", [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}],
     {"add_generation_prompt": False}),
    ("whitespace_content", [{"role": "user", "content": "\n\n  padded  \n"}], {}),
]

PER_MODEL = {
    "qwen3": [
        ("tools", [{"role": "user", "content": "Weather in Paris?"}], {"tools": TOOLS}),
        ("tools_with_system", [{"role": "system", "content": "Use tools."}, {"role": "user", "content": "Weather?"}],
         {"tools": TOOLS}),
        ("tool_call_round_trip", [
            {"role": "user", "content": "Weather in Paris?"},
            {"role": "assistant", "content": "", "tool_calls": [
                {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "c"}}}]},
            {"role": "tool", "content": "{\"temp\": 21}"},
            {"role": "tool", "content": "second"},
            {"role": "assistant", "content": "It is 21C."},
            {"role": "user", "content": "Thanks"},
        ], {"tools": TOOLS}),
        ("tool_call_string_arguments", [
            {"role": "user", "content": "Go"},
            {"role": "assistant", "content": "Calling.", "tool_calls": [
                {"type": "function", "function": {"name": "f", "arguments": "{\"x\": 1}"}}]},
        ], {}),
        ("reasoning_in_content", [
            {"role": "user", "content": "Q1"},
            {"role": "assistant", "content": "<think>\nthinking hard\n</think>\n\nA1"},
            {"role": "user", "content": "Q2"},
            {"role": "assistant", "content": "<think>\nmore\n</think>\n\nA2"},
        ], {"add_generation_prompt": False}),
        ("reasoning_content_field", [
            {"role": "user", "content": "Q"},
            {"role": "assistant", "content": "A", "reasoning_content": "because"},
        ], {"add_generation_prompt": False}),
        ("enable_thinking_false", [{"role": "user", "content": "Hi"}], {"enable_thinking": False}),
    ],
    "gemma3": [
        ("list_content", [{"role": "user", "content": [{"type": "text", "text": " Describe "}, {"type": "image"}]}], {}),
        ("system_list_content", [
            {"role": "system", "content": [{"type": "text", "text": "Sys"}]},
            {"role": "user", "content": "Hi"},
        ], {}),
        ("roles_not_alternating", [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}], {}),
    ],
    "llama3": [],
}


def main():
    out = ROOT / "tests" / "tokenizer" / "data" / "chat_extra_cases.jsonl"
    count = 0
    with out.open("w") as f:
        for model, extra in PER_MODEL.items():
            tok = AutoTokenizer.from_pretrained(str(SHARED / model))
            for name, messages, options in COMMON + extra:
                options = dict(options)
                add_generation_prompt = options.pop("add_generation_prompt", True)
                tools = options.pop("tools", None)
                case = {"model": model, "name": name, "messages": messages, "add_generation_prompt": add_generation_prompt,
                        "tools": tools, "extra": options}
                try:
                    case["rendered"] = tok.apply_chat_template(
                        messages, tools=tools, add_generation_prompt=add_generation_prompt, tokenize=False, **options)
                except Exception as e:  # noqa: BLE001 - errors are expected outcomes for some cases
                    case["error"] = str(e)
                f.write(json.dumps(case, ensure_ascii=False) + "\n")
                count += 1
    print(f"wrote {count} cases to {out}")


if __name__ == "__main__":
    main()
