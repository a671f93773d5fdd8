"""PEFT LoRA adapters over one loaded base model: attached lazily, kept, run in mixed batches.

The first adapter wraps the base model in a ``PeftModel`` (PEFT injects LoRA layers next to
the base weights, which stay as they are: nothing is merged); later ones are added with
``load_adapter``. A batch then runs through the ``PeftModel`` with one ``adapter_names`` entry
per row (PEFT's mixed-adapter batch), :data:`BASE_ADAPTER` for a row without an adapter.

peft and torch are imported inside functions, only when an adapter is first needed.
"""

from __future__ import annotations

import contextlib
import logging
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from agents.errors import AdapterError
from agents.llm._hf_loading import looks_like_path
from agents.llm.base import BASE_ADAPTER, Adapter
from knowledge.embeddings import quiet_hf_progress

logger = logging.getLogger(__name__)

_LOAD_ERRORS = (OSError, ValueError, KeyError, RuntimeError, ImportError, TypeError,
                AttributeError)


@contextlib.contextmanager
def quiet_peft() -> Iterator[None]:
    """Hub progress bars off, and transformers' FutureWarning that PEFT's ``PeftModel``
    triggers by reading the deprecated ``is_gradient_checkpointing`` silenced (nothing of ours
    to fix; PEFT reads the attribute to decide whether to prepare gradient checkpointing)."""
    with quiet_hf_progress(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*",
                                category=FutureWarning)
        yield


def check_source(adapter: Adapter) -> None:
    """Cheap checks before anything is loaded: a local adapter is a directory holding
    ``adapter_config.json`` (what ``save_pretrained`` of a PEFT model writes)."""
    if not looks_like_path(adapter.source):
        return  # a hub id: PEFT resolves it (from the cache when HF_HUB_OFFLINE is set)
    path = Path(adapter.source).expanduser()
    if not path.is_dir():
        raise AdapterError(f"adapter {adapter.name!r}: {str(path)!r} is not a directory; point "
                           "the expert's `adapter` at a saved LoRA adapter (the directory "
                           "`factforge experts adapt --out` or PEFT's save_pretrained wrote)")
    if not (path / "adapter_config.json").is_file():
        raise AdapterError(f"adapter {adapter.name!r}: {str(path)!r} has no adapter_config.json;"
                           " it is not a saved PEFT adapter")


def _read_config(adapter: Adapter) -> Any:
    from peft import PeftConfig, PeftType

    try:
        with quiet_peft():
            config = PeftConfig.from_pretrained(adapter.source)
    except _LOAD_ERRORS as exc:
        raise AdapterError(f"adapter {adapter.name!r}: cannot read the adapter config from "
                           f"{adapter.source!r} ({type(exc).__name__}: {exc})") from exc
    if config.peft_type != PeftType.LORA:
        raise AdapterError(f"adapter {adapter.name!r}: {adapter.source!r} is a "
                           f"{config.peft_type} adapter; only LoRA adapters are supported")
    return config


class AdapterSet:
    """The LoRA adapters attached to one base model, keyed by source (one copy each)."""

    def __init__(self, base: Any) -> None:
        self.base = base
        self._peft: Any = None
        self._names: dict[str, str] = {}  # adapter source -> PEFT adapter name
        self.broken = False  # a failed first attach left the base model in an unknown state

    @property
    def model(self) -> Any:
        """What to call ``generate`` on: the ``PeftModel`` once an adapter is attached."""
        return self._peft if self._peft is not None else self.base

    @property
    def attached(self) -> dict[str, str]:
        return dict(self._names)

    def ensure(self, adapters: Iterable[Adapter | None]) -> None:
        """Attach every adapter not attached yet (raises :class:`AdapterError`)."""
        for adapter in adapters:
            if adapter is not None and adapter.source not in self._names:
                self._attach(adapter)

    def row_names(self, adapters: Sequence[Adapter | None]) -> list[str] | None:
        """``adapter_names`` for a batch, or None when no adapter was ever attached."""
        if self._peft is None:
            return None
        return [BASE_ADAPTER if a is None else self._names[a.source] for a in adapters]

    @contextlib.contextmanager
    def running(self, adapters: Sequence[Adapter | None]) -> Iterator[tuple[Any, dict]]:
        """The model to call ``generate`` on for a batch whose rows use ``adapters``, and the
        extra ``generate`` options. Rows that all use one adapter (or all none) take PEFT's
        plain path (that adapter active, or adapters disabled), which skips the per-layer
        sub-batch indexing of a mixed batch; mixed rows pass ``adapter_names``."""
        names = self.row_names(adapters)
        if names is None:
            yield self.base, {}
        elif len(set(names)) > 1:
            yield self._peft, {"adapter_names": names}
        elif names[0] == BASE_ADAPTER:
            with self._peft.disable_adapter():
                yield self._peft, {}
        else:
            self._peft.set_adapter(names[0], inference_mode=True)
            yield self._peft, {}

    def _peft_name(self, adapter: Adapter) -> str:
        stem = re.sub(r"\W", "_", adapter.name) or "adapter"
        name, n = stem, 1
        while name in self._names.values() or name == BASE_ADAPTER:
            n += 1
            name = f"{stem}_{n}"
        return name

    def _attach(self, adapter: Adapter) -> None:
        check_source(adapter)
        _read_config(adapter)
        from peft import PeftModel
        from safetensors import SafetensorError

        name = self._peft_name(adapter)
        logger.info("attaching LoRA adapter %s (%s) as %r", adapter.name, adapter.source, name)
        try:
            with quiet_peft():
                if self._peft is None:
                    self._peft = PeftModel.from_pretrained(
                        self.base, adapter.source, adapter_name=name, is_trainable=False)
                else:
                    self._peft.load_adapter(adapter.source, adapter_name=name,
                                            is_trainable=False)
        except (*_LOAD_ERRORS, SafetensorError) as exc:
            if self._peft is None:
                self.broken = True  # PEFT may have injected layers into the base in place
            elif name in self._peft.peft_config:
                self._peft.delete_adapter(name)
            raise AdapterError(
                f"adapter {adapter.name!r}: cannot attach {adapter.source!r} to the base model "
                f"(is it a LoRA adapter of this model?) ({type(exc).__name__}: {exc})"
            ) from exc
        self._peft.eval()
        self._names[adapter.source] = name
