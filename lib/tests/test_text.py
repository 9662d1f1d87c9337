from django import forms

from lib.text import MaxCharsValidator, char_count

# Every character Python's str.isspace() accepts; the browser counter (static/js/text.js) lists the same.
PYTHON_WHITESPACE = (
    "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)


def test_it_counts_every_character_except_whitespace():
    assert char_count("示范 基地\n发展\t概述 ") == 8
    assert char_count("　　首行缩进两个全角空格。") == 11
    assert char_count("") == 0
    assert char_count(None) == 0


def test_a_character_outside_the_basic_plane_is_one():
    assert char_count("𠀋城") == 2


def test_line_endings_do_not_count():
    assert char_count("一\r\n二\n三") == 3


def test_the_whitespace_set_is_what_the_browser_counter_strips():
    assert all(ch.isspace() for ch in PYTHON_WHITESPACE)
    assert sum(1 for c in range(0x110000) if chr(c).isspace()) == len(PYTHON_WHITESPACE)
    assert char_count(PYTHON_WHITESPACE) == 0


def test_a_form_field_limit_counts_the_same_way():
    class CommentForm(forms.Form):
        text = forms.CharField(validators=[MaxCharsValidator(5)])

    assert CommentForm({"text": "一 二 三 四 五\n"}).is_valid()
    form = CommentForm({"text": "一二三四五六"})
    assert not form.is_valid()
    assert form.errors["text"] == ["不能超过 5 字（现为 6 字）。"]


def test_every_code_point_counts_one_unless_it_is_whitespace():
    # char_count counts in C (str.split); this is the rule it must keep, over every code point
    # (surrogates included: a str may hold one), alone and between two 字.
    for c in range(0x110000):
        ch = chr(c)
        assert char_count(ch) == (0 if ch.isspace() else 1), hex(c)
        assert char_count(f"字{ch}字") == (2 if ch.isspace() else 3), hex(c)
