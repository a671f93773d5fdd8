"""Structured logging: one JSON object per line when not on a terminal, plain text otherwise."""

from __future__ import annotations

import json
import logging
import sys
import time

_RESERVED = set(vars(logging.makeLogRecord({})))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update({k: v for k, v in vars(record).items() if k not in _RESERVED})
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time of the record, not the stream that was
    current when logging was configured (a test runner or a CLI wrapper may swap and close
    it; a handler bound to a closed stream prints "--- Logging error ---" into the output)."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self):  # type: ignore[no-untyped-def]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:  # type: ignore[no-untyped-def]
        pass


def configure_logging(json_logs: bool | None = None, level: int = logging.INFO) -> None:
    """Configure the root logger once; ``json_logs=None`` means JSON unless stderr is a TTY."""
    use_json = (not sys.stderr.isatty()) if json_logs is None else json_logs
    handler = _StderrHandler()
    handler.setFormatter(
        JsonFormatter() if use_json else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    handler.setLevel(level)  # libraries that lower their own loggers' level stay quiet
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "urllib3", "chromadb", "sentence_transformers",
                  "transformers", "huggingface_hub", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
