"""No user text in the logs, at any level, in every Vigie process.

Our own code never logs a message or a slot value. The libraries do: Rasa
writes the text it parsed, the responses it could not fill (with the slot
values in them) and the slot values at debug level; warnings quote what they
choke on. A log record factory, installed once at process start, rewrites every
record as it is made, whoever makes it:

- a record from a library is cut at its first quote or line break (where Rasa
  and its companions put values: "Received user message '…'", "Current slot
  values:\\n…") and ends with `` […]``;
- every record has its line breaks escaped, so that no text can forge a log line;
- a traceback keeps its frames, but the exception's own message is cut the
  same way ("ValueError: invalid literal for int(): […]").

Python warnings go through logging too (``captureWarnings``), hence through
the same rewriting.
"""

from __future__ import annotations

import logging
import re
import traceback

# Our loggers: "vigie.*" and the modules' own names; they log types and counts, never text.
OURS = ("vigie", "bot", "actions", "__main__")
_VALUE_START = re.compile(r"['\"\n\r`«“]")
CUT = " […]"
_TRACEBACK_FRAMES = ("Traceback (most recent call last)", "During handling of", "The above exception")


def private_message(logger_name: str, message: str) -> str:
    """``message`` as it may be logged by ``logger_name``."""
    if not logger_name.startswith(OURS):
        message = _cut(message)
    return message.replace("\r", "\\r").replace("\n", "\\n")


def private_traceback(exc_info) -> str:
    """The traceback's frames, with every exception message cut at its first quote."""
    lines = "".join(traceback.format_exception(*exc_info)).splitlines()
    return "\n".join(line if _is_frame(line) else _cut(line) for line in lines)


def _is_frame(line: str) -> bool:
    return not line or line[:1].isspace() or line.startswith(_TRACEBACK_FRAMES)


def _cut(line: str) -> str:
    found = _VALUE_START.search(line)
    return line[: found.start()].rstrip() + CUT if found else line


def install() -> None:
    """Rewrite every log record of this process (idempotent)."""
    logging.captureWarnings(True)
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "vigie_private", False):
        return

    def private_record(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed call: logging reports it, without the arguments
            message = str(record.msg)
        record.msg, record.args = private_message(record.name, message), ()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = private_traceback(record.exc_info)
        return record

    private_record.vigie_private = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(private_record)
