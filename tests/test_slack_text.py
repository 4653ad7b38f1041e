"""Slack's escaping undone once (`unescape`) and done once (`escape`), and message text made readable."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.slack_text import Mention, escape, readable, unescape, unescape_with_mentions


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_unescape_undoes_escape_exactly_once(text: str) -> None:
    assert unescape(escape(text)) == text


@pytest.mark.parametrize(
    "text", ["&amp;", "&amp;amp;", "Tom & Jerry Ltd", "R&amp;D <b>", "&lt;@U1&gt;", "a&b;c", "&&&;;", "<>"]
)
def test_unescape_round_trips_literal_entities(text: str) -> None:
    assert unescape(escape(text)) == text
    assert escape(unescape(escape(text))) == escape(text)


@pytest.mark.parametrize(
    ("escaped", "plain"),
    [
        ("Tom &amp; Jerry Ltd", "Tom & Jerry Ltd"),
        ("a &lt;b&gt; c", "a <b> c"),
        ("&amp;amp;", "&amp;"),
        ("<mailto:a@b.c|a@b.c>", "a@b.c"),
        ("<mailto:a@b.c>", "a@b.c"),
        ("<http://acme.io|acme.io>", "acme.io"),
        ("<https://acme.io/x?a=1&amp;b=2>", "https://acme.io/x?a=1&b=2"),
        ("<https://acme.io/x|click here>", "https://acme.io/x"),
        ("<https://acme.io/|https://acme.io/>", "https://acme.io/"),
        ("<@U123>", "<@U123>"),
        ("<@U123|jane>", "<@U123>"),
        ("<@W9ABC|zoë> hi", "<@W9ABC> hi"),
        ("<#C1|sales>", "#sales"),
        ("<#C1>", "#C1"),
        ("<!here>", "@here"),
        ("<!subteam^S1|@team>", "@team"),
        ("<!date^1700000000^{date}|Nov 14>", "Nov 14"),
        ("plain text", "plain text"),
        ("", ""),
    ],
)
def test_unescape(escaped: str, plain: str) -> None:
    assert unescape(escaped) == plain


def test_real_mentions_are_told_apart_from_typed_ones() -> None:
    text, mentions = unescape_with_mentions("&lt;@U1&gt; and <@U2|bo> &amp; <@W3>")
    assert text == "<@U1> and <@U2> & <@W3>"
    assert mentions == [Mention(10, 15, "U2"), Mention(18, 23, "W3")]
    for mention in mentions:
        assert text[mention.start : mention.end] == f"<@{mention.user_id}>"


def test_readable_message_text() -> None:
    names = {"U1": "Jane"}.get
    text = "<@U1> see <https://x.io|the doc> in <#C1|sales> &amp; <mailto:a@b.c|a@b.c> &amp;lt;"
    assert (
        readable(text, lambda user: names(user) or user)
        == "@Jane see the doc (https://x.io) in #sales & a@b.c &lt;"
    )
