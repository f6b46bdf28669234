"""What the commands need to know about where they run: colour and progress only on a terminal
(and never with ``--no-color`` / ``NO_COLOR``), prompts only when someone can answer them.

Text from the network or a subprocess (an error's ``<Message>``, a request id, a region, a
``credential_process``'s standard error) may hold control characters: an escape sequence that
clears the screen, moves the cursor or forges a line, a carriage return that overwrites one.
Everything printed goes through `printable`, which shows every control character escaped
(``\x1b``), keeping only line breaks, tabs and, where colour is on, the colour codes
`Terminal.style` itself writes."""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Mapping
from typing import TextIO

import click


class Terminal:
    def __init__(
        self,
        *,
        no_color: bool,
        env: Mapping[str, str],
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        stdin: TextIO | None = None,
    ) -> None:
        self._out = stdout or sys.stdout
        self._err = stderr or sys.stderr
        self._in = stdin or sys.stdin
        self.colour = not no_color and "NO_COLOR" not in env and _isatty(self._out)
        self.interactive = _isatty(self._in) and _isatty(self._err)
        self._progress_shown = False
        self._lock = threading.Lock()

    def printable(self, text: str) -> str:
        return printable(text, colour=self.colour)

    def style(self, text: str, colour: str | None) -> str:
        if not self.colour or colour is None:
            return text
        return click.style(text, fg=colour, bold=colour == "red")

    def out(self, text: str) -> None:
        self.clear_progress()
        click.echo(self.printable(text), file=self._out, nl=False)

    def note(self, text: str) -> None:
        """A human message: always on stderr, so stdout stays machine-readable."""
        self.clear_progress()
        click.echo(self.printable(text), file=self._err)

    def progress(self, label: str, done: int, total: int) -> None:
        if not _isatty(self._err):
            return
        with self._lock:
            self._err.write(f"\r\x1b[K{printable(label)}: {done}/{total}")
            self._err.flush()
            self._progress_shown = True

    def status(self, text: str) -> None:
        """A live line that the next message replaces (only on a terminal)."""
        if not _isatty(self._err):
            return
        with self._lock:
            self._err.write(f"\r\x1b[K{self.printable(text)}")
            self._err.flush()
            self._progress_shown = True

    def waiting(self, address: str, status: str, seconds: float) -> None:
        """CloudFront deploying: the distribution, its status and how long it has been."""
        if not _isatty(self._err):
            return
        with self._lock:
            shown = printable(f"{address}: {status}")
            self._err.write(f"\r\x1b[K{shown}, waited {seconds:.0f} s")
            self._err.flush()
            self._progress_shown = True

    def clear_progress(self) -> None:
        with self._lock:
            if self._progress_shown:
                self._err.write("\r\x1b[K")
                self._err.flush()
                self._progress_shown = False

    def ask(self, question: str) -> str:
        self.clear_progress()
        answer: str = click.prompt(question, default="", show_default=False, err=True)
        return answer

    def confirm(self, question: str) -> bool:
        self.clear_progress()
        answer: str = click.prompt(question, default="", show_default=False, err=True)
        return answer.strip() == "yes"


#: A control character, or a whole escape sequence that sets colours (SGR).
_CONTROL = re.compile(r"\x1b\[[0-9;]*m|[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: The colour codes `Terminal.style` writes (click's): reset, bold, and the foreground colours.
_OURS = re.compile(r"\x1b\[(?:0|1|22|39|3[0-7]|9[0-7])m")


def printable(text: str, *, colour: bool = False) -> str:
    """``text`` with every control character shown escaped (``\x1b``, ``\r``), but line breaks
    and tabs; with ``colour``, the colour codes `Terminal.style` writes are kept."""
    if text.isprintable() or _CONTROL.search(text) is None:
        return text

    def escape(found: re.Match[str]) -> str:
        seen = found.group()
        if colour and _OURS.fullmatch(seen):
            return seen
        return "".join(f"\\x{ord(c):02x}" if c < " " or "\x7f" <= c <= "\x9f" else c for c in seen)

    return _CONTROL.sub(escape, text)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def count(number: int, noun: str) -> str:
    """``1 write``, ``2 writes``."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
