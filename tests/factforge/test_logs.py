"""Process logging: one stderr handler that follows sys.stderr."""

from __future__ import annotations

import io
import logging
import sys

import pytest

from factforge.logs import configure_logging


@pytest.fixture
def restore_root_logger():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def test_the_handler_writes_to_the_current_stderr_not_a_closed_one(restore_root_logger, capsys):
    # a CLI runner swaps sys.stderr while a command configures logging, then closes its stream
    swapped = io.StringIO()
    real, sys.stderr = sys.stderr, swapped
    try:
        configure_logging(json_logs=False, level=logging.WARNING)
    finally:
        sys.stderr = real
    swapped.close()
    logging.getLogger("factforge.test").warning("plugin %s failed", "ghost")
    err = capsys.readouterr().err
    assert "WARNING factforge.test: plugin ghost failed" in err
    assert "Logging error" not in err
