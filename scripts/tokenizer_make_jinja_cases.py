#!/usr/bin/env python3
"""Regenerates tests/tokenizer/data/jinja_cases.jsonl: small Jinja templates rendered by
transformers' own chat-template environment (jinja2, trim_blocks + lstrip_blocks, its tojson,
raise_exception, namespace, loopcontrols). The C++ interpreter must reproduce each output.

Run with the oracle virtualenv: .venv/bin/python scripts/tokenizer_make_jinja_cases.py
"""
import json
import pathlib

from transformers.utils.chat_template_utils import _compile_jinja_template

MSGS = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Hi there"},
    {"role": "assistant", "content": "Hello!"},
    {"role": "user", "content": "  spaced  "},
]

# A tool-calling template in the style of recent instruct models: globals reassigned at top
# level, tojson with indent, membership tests on dicts, content type tests.
TOOL_TEMPLATE = """{%- if custom_tools is defined %}
    {%- set tools = custom_tools %}
{%- endif %}
{%- if not date_string is defined %}
    {%- set date_string = "01 Jan 2025" %}
{%- endif %}
{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content']|trim %}
    {%- set messages = messages[1:] %}
{%- else %}
    {%- set system_message = "" %}
{%- endif %}
{{- "<|system|>\n" }}
{%- if tools is not none %}
    {{- "Tools:\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\n\n" }}
    {%- endfor %}
{%- endif %}
{{- "Date: " + date_string + "\n" + system_message + "<|end|>" }}
{%- for message in messages %}
    {%- if 'tool_calls' in message %}
        {%- if not message.tool_calls|length == 1 %}
            {{- raise_exception("Only one tool call per message") }}
        {%- endif %}
        {%- set tool_call = message.tool_calls[0].function %}
        {{- '<|assistant|>{"name": "' + tool_call.name + '", "parameters": ' + tool_call.arguments | tojson + '}<|end|>' }}
    {%- elif message.role == "tool" %}
        {{- "<|tool|>" }}
        {%- if message.content is mapping or message.content is iterable and message.content is not string %}
            {{- message.content | tojson }}
        {%- else %}
            {{- message.content }}
        {%- endif %}
        {{- "<|end|>" }}
    {%- else %}
        {{- '<|' + message['role'] + '|>' + message['content'] | trim + '<|end|>' }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|assistant|>' }}
{%- endif %}
"""

TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Weather",
                                           "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                                          "required": ["city"]}}}]

CASES = [
    ("text", "plain text\n", {}),
    ("print_literals", "{{ 1 }} {{ 1.5 }} {{ 'a' }} {{ true }} {{ none }} {{ [1, 'b'] }} {{ {'k': 1} }}", {}),
    ("arithmetic", "{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }}", {}),
    ("float_repr", "{{ 0.1 + 0.2 }} {{ 1e20 }} {{ 1.0 }} {{ 0.00001 }} {{ 123456789.125 }} {{ 3 * 1.0 }}", {}),
    ("concat", "{{ 'a' ~ 1 ~ none ~ true }}|{{ 'x' + 'y' }}|{{ [1] + [2] }}", {}),
    ("compare", "{{ 1 < 2 }} {{ 'a' < 'b' }} {{ 1 == 1.0 }} {{ 'a' != 'a' }} {{ 2 >= 3 }} {{ [1,2] == [1,2] }}", {}),
    ("logic", "{{ not true }} {{ true and 'x' }} {{ false or 'y' }} {{ none or [] }} {{ 0 and 1 }}", {}),
    ("in_operator", "{{ 'b' in 'abc' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'z' not in 'abc' }}", {}),
    ("conditional_expr", "{{ 'yes' if x else 'no' }}|{{ 'yes' if y else 'no' }}|{{ 'only' if y }}|", {"x": 1, "y": 0}),
    ("if_elif_else", "{% for n in [1, 2, 3] %}{% if n == 1 %}one{% elif n == 2 %}two{% else %}many{% endif %} {% endfor %}", {}),
    ("for_loop_vars", "{% for x in ['a', 'b', 'c'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{{ loop.revindex0 }} {% endfor %}", {}),
    ("for_prev_next", "{% for x in [1, 2, 3] %}{{ loop.previtem }}-{{ loop.nextitem }};{% endfor %}", {}),
    ("for_else", "{% for x in [] %}x{% else %}empty{% endfor %}", {}),
    ("for_filter", "{% for x in range(10) if x is odd %}{{ x }}{{ loop.length }},{% endfor %}", {}),
    ("for_unpack_items", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", {"d": {"b": 1, "a": 2}}),
    ("for_dict_keys", "{% for k in d %}{{ k }}{% endfor %}", {"d": {"b": 1, "a": 2}}),
    ("for_string", "{% for c in 'héllo' %}[{{ c }}]{% endfor %}", {}),
    ("break_continue", "{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}", {}),
    ("loop_cycle", "{% for x in range(4) %}{{ loop.cycle('a', 'b') }}{% endfor %}", {}),
    ("nested_loops", "{% for a in [1, 2] %}{% for b in [3, 4] %}{{ a }}{{ b }}{{ loop.index }} {% endfor %}{{ loop.index }}|{% endfor %}", {}),
    ("set_scoping", "{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{{ x }}{% endfor %}{{ x }}", {}),
    ("namespace", "{% set ns = namespace(found=false, n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}{% if i == 1 %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.found }} {{ ns.n }}", {}),
    ("set_tuple", "{% set a, b = 1, 2 %}{{ a }}{{ b }}", {}),
    ("set_block", "{% set body %}Hello {{ name }}!{% endset %}[{{ body }}]", {"name": "Bob"}),
    ("macro", "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('A') }} {{ greet('B', '?') }} {{ greet(name='C', punct='.') }}", {}),
    ("macro_scope", "{% set g = 'global' %}{% macro m() %}{{ g }}{{ x }}{% endmacro %}{% for x in [1] %}{{ m() }}{% endfor %}", {}),
    ("whitespace_dash", "a  {{- ' b ' -}}  c\n  {%- if true -%}  d  {%- endif -%}  e", {}),
    ("trim_blocks", "{% if true %}\nline\n{% endif %}\nafter\n", {}),
    ("lstrip_blocks", "start\n    {% if true %}\n    inside\n    {% endif %}\nend", {}),
    ("lstrip_inline", "a {% if true %}b{% endif %} c", {}),
    ("plus_modifier", "x\n    {%+ if true %}y{% endif +%}\nz", {}),
    ("comment", "a{# comment #}b\n{# line comment #}\nc", {}),
    ("raw", "{% raw %}{{ not evaluated }}{% endraw %}", {}),
    ("trailing_newline", "abc\n", {}),
    ("crlf_line_endings", "a\r\n{% if true %}\r\nb\r\n{% endif %}\r\nc\rd{{ 'e\r\nf' }}\r\n", {}),
    ("filters_string", "{{ '  x  ' | trim }}|{{ 'ab' | upper }}|{{ 'AB' | lower }}|{{ 'hello world' | title }}|{{ 'hELLO' | capitalize }}|{{ 'aaa' | replace('a', 'b', 2) }}", {}),
    ("filters_list", "{{ [3, 1, 2] | first }}{{ [3, 1, 2] | last }}{{ [3, 1, 2] | length }}{{ [3, 1, 2] | sort | list }}{{ [1, 1, 2] | unique | list }}{{ [1, 2] | reverse | list }}{{ [1, 2, 3] | sum }}{{ [4, 2] | min }}{{ [4, 2] | max }}", {}),
    ("filter_join", "{{ ['a', 'b'] | join(', ') }}|{{ [1, 2] | join }}|{{ users | join(',', attribute='name') }}", {"users": [{"name": "x"}, {"name": "y"}]}),
    ("filter_default", "{{ missing | default('d') }}|{{ '' | default('e') }}|{{ '' | default('f', true) }}|{{ none | default('g') }}|{{ missing | d('h') }}", {}),
    ("filter_map_select", "{{ msgs | map(attribute='role') | join(',') }}|{{ msgs | selectattr('role', 'equalto', 'user') | map(attribute='content') | list }}|{{ msgs | rejectattr('role', 'equalto', 'user') | list | length }}|{{ [1, 2, 3, 4] | select('even') | list }}|{{ [1, 0, 2] | select | list }}|{{ [1, 2, 3] | reject('odd') | list }}|{{ ['1', '2'] | map('int') | sum }}", {"msgs": MSGS}),
    ("filter_items", "{% for k, v in {'a': 1, 'b': [2]} | items %}{{ k }}:{{ v }} {% endfor %}", {}),
    ("filter_numbers", "{{ '42' | int + 1 }} {{ 'x' | int }} {{ 3.7 | int }} {{ '2.5' | float }} {{ -3 | abs }} {{ 2.567 | round(2) }} {{ 2 | string ~ 'x' }}", {}),
    ("filter_tojson", "{{ obj | tojson }}|{{ obj | tojson(indent=2) }}|{{ 'é\"\\n' | tojson }}", {"obj": {"b": [1, 2.5, True, None], "a": {"x": "y"}}}),
    ("filter_indent", "{{ 'a\\nb\\n\\nc' | indent(2) }}|{{ 'a\\nb' | indent(2, true) }}", {}),
    ("filter_dictsort", "{% for k, v in {'b': 1, 'a': 2} | dictsort %}{{ k }}{{ v }}{% endfor %}", {}),
    ("tests", "{{ x is defined }}{{ y is undefined }}{{ none is none }}{{ 'a' is string }}{{ {} is mapping }}{{ [] is sequence }}{{ 1 is number }}{{ 1.5 is float }}{{ 1 is integer }}{{ 3 is odd }}{{ 4 is even }}{{ 9 is divisibleby 3 }}{{ 1 is equalto 1 }}{{ true is true }}{{ false is false }}{{ true is boolean }}{{ 'a' is in 'abc' }}{{ x is not none }}", {"x": 1}),
    ("slicing", "{{ 'abcdef'[1:3] }} {{ 'abcdef'[::-1] }} {{ 'abcdef'[-2:] }} {{ [1, 2, 3, 4][1:] }} {{ [1, 2, 3, 4][:-1] }} {{ [1, 2, 3, 4][::2] }} {{ 'héllo'[1] }} {{ [1, 2][-1] }}", {}),
    ("string_methods", "{{ 'abc'.startswith('ab') }} {{ 'abc'.endswith(('x', 'c')) }} {{ '  a  '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ '\\n\\na'.lstrip('\\n') }}|{{ 'a\\n\\n'.rstrip() }}|{{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} {{ 'a b c'.split(' ', 1) }} {{ 'Ab'.upper() }}{{ 'Ab'.lower() }} {{ 'aXa'.replace('a', 'b') }} {{ '{} and {}'.format(1, 'two') }} {{ 'hello world'.title() }} {{ 'abc'.find('c') }}", {}),
    ("dict_methods", "{{ d.get('a') }} {{ d.get('z', 'dflt') }} {{ d.get('z') }} {{ d.keys() | list }} {{ d.values() | list }} {{ d['a'] }} {{ d.a }}", {"d": {"a": 1, "b": 2}}),
    ("undefined_ops", "[{{ missing }}]{{ missing is defined }}{% if not missing %}falsy{% endif %}{% for x in missing %}x{% endfor %}{{ missing | length }}", {}),
    ("attr_on_missing_key", "{{ m.role }}:{{ m.nope is defined }}:{{ m['nope'] is defined }}", {"m": {"role": "user"}}),
    ("string_escapes", "{{ 'a\\tb\\\\c\\'d' }}{{ \"x\\\"y\" }}", {}),
    ("list_index_attr", "{{ msgs[0].role }} {{ msgs[-1]['content'] }} {{ msgs | length }}", {"msgs": MSGS}),
    ("raise_exception", "{% if x %}{{ raise_exception('Bad role: ' ~ x) }}{% endif %}", {"x": "tool"}),
    ("undefined_attribute_error", "{{ nothing.there }}", {}),
    ("unknown_filter_error", "{{ 1 | nosuchfilter }}", {}),
    ("syntax_error", "line one\n{% if x %}\nmissing endif", {}),
    ("type_error", "{{ 'a' + 1 }}", {}),
    ("dict_literal_and_tojson", "{% set d = {'name': n, 'args': [1, 2]} %}{{ d | tojson }}", {"n": "f"}),
    ("generation_tag", "{% for m in msgs %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}{% endgeneration %}{% endif %}{% endfor %}", {"msgs": MSGS}),
    ("range_forms", "{{ range(3) | list }} {{ range(1, 4) | list }} {{ range(10, 0, -3) | list }}", {}),
    ("chat_like", "{{ bos_token }}{% for m in messages %}{{ '<|' + m['role'] + '|>\\n' + m['content'] | trim + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}", {"bos_token": "<s>", "messages": MSGS, "add_generation_prompt": True}),
    ("multiline_tags", "{%\n  set x = [\n    1,\n    2\n  ]\n%}\n{{\n  x | length\n}}", {}),
    ("filter_precedence", "{{ -1 | abs }} {{ 'a' ~ 'b' | upper }} {{ not 'x' | length }}", {}),
    ("tool_template_with_tools", TOOL_TEMPLATE, {
        "tools": TOOLS, "add_generation_prompt": True, "messages": [
            {"role": "system", "content": "  Be precise.  "},
            {"role": "user", "content": "Weather in Oslo?"},
            {"role": "assistant", "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": "Oslo"}}}]},
            {"role": "tool", "content": {"temp": -3, "sky": "clear"}},
            {"role": "tool", "content": "plain text result"},
        ]}),
    ("tool_template_without_tools", TOOL_TEMPLATE, {
        "tools": None, "date_string": "02 Feb 2026", "add_generation_prompt": False,
        "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}),
    ("tool_template_two_calls", TOOL_TEMPLATE, {
        "tools": None, "messages": [{"role": "assistant", "tool_calls": [{"function": {"name": "a", "arguments": {}}},
                                                                          {"function": {"name": "b", "arguments": {}}}]}]}),
    ("test_precedence", "{{ not x is defined }} {{ x is defined and y is not defined }}", {"x": 1}),
]


def main():
    out = pathlib.Path(__file__).resolve().parent.parent / "tests" / "tokenizer" / "data" / "jinja_cases.jsonl"
    with out.open("w") as f:
        for name, template, context in CASES:
            case = {"name": name, "template": template, "context": context}
            try:
                case["rendered"] = _compile_jinja_template(template).render(**context)
            except Exception as e:  # noqa: BLE001 - any failure is an expected error case
                case["error"] = type(e).__name__
                case["message"] = str(e)
            f.write(json.dumps(case, ensure_ascii=False) + "\n")
    print(f"wrote {len(CASES)} cases to {out}")


if __name__ == "__main__":
    main()
