"""What reaches the terminal: control characters from the network or a subprocess shown
escaped, line breaks, tabs and the reconciler's own colour codes kept."""

from __future__ import annotations

import io

from reconciler.terminal import Terminal, printable


def test_control_characters_are_shown_escaped() -> None:
    hostile = "a\x1b[2Jb\x1b[1;1HNo changes.\rc\x07\x9b\x7f"
    assert printable(hostile) == "a\\x1b[2Jb\\x1b[1;1HNo changes.\\x0dc\\x07\\x9b\\x7f"


def test_line_breaks_tabs_and_plain_text_are_kept() -> None:
    assert printable("one\n\ttwo é ✓") == "one\n\ttwo é ✓"


def test_the_colour_codes_the_terminal_writes_are_kept_where_colour_is_on() -> None:
    red = "\x1b[31m\x1b[1mfailed\x1b[0m"
    assert printable(red, colour=True) == red
    assert printable(red) == "\\x1b[31m\\x1b[1mfailed\\x1b[0m"
    # codes the terminal never writes (conceal, cursor moves) are escaped even then
    assert printable("\x1b[8mhidden\x1b[2K", colour=True) == "\\x1b[8mhidden\\x1b[2K"


def test_every_message_the_terminal_prints_is_escaped() -> None:
    out, err = io.StringIO(), io.StringIO()
    terminal = Terminal(no_color=True, env={}, stdout=out, stderr=err)
    terminal.out("plan\x1b[2J\n")
    terminal.note("request id \x1b]0;title\x07")
    assert out.getvalue() == "plan\\x1b[2J\n"
    assert err.getvalue() == "request id \\x1b]0;title\\x07\n"
