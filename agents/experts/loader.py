"""Load experts from TOML files: the built-ins, then user directories, then plugins.

Besides the required fields, a file may name a LoRA ``adapter`` (a local directory, relative
to the file when it starts with ``./`` or ``../``, or a hub id) and its ``adapter_model`` (the
name an OpenAI-compatible server serves it as).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path

from agents.errors import ExpertError
from agents.experts.model import Expert

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"
_FIELDS = {"name", "role", "description", "examples", "system_prompt"}
_OPTIONAL = {"adapter", "adapter_model"}


def _adapter_source(path: Path, adapter: object) -> object:
    """A relative adapter directory (``./adapters/sql``) is relative to the expert's file."""
    if isinstance(adapter, str) and adapter.startswith(("./", "../")):
        return str((path.parent / adapter).resolve())
    if isinstance(adapter, str) and adapter.startswith("~"):
        return str(Path(adapter).expanduser())
    return adapter


def expert_from_toml(path: Path) -> Expert:
    """Parse one expert file. Raises :class:`ExpertError` naming the file on any problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ExpertError(f"{path}: cannot read expert file: {exc}") from exc
    missing = _FIELDS - data.keys()
    if missing:
        raise ExpertError(f"{path}: missing field(s) {', '.join(sorted(missing))}")
    unknown = data.keys() - _FIELDS - _OPTIONAL
    if unknown:
        raise ExpertError(f"{path}: unknown field(s) {', '.join(sorted(unknown))}")
    examples = data["examples"]
    if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
        raise ExpertError(f"{path}: examples must be a list of strings")
    try:
        return Expert(
            name=str(data["name"]),
            role=data["role"],
            description=str(data["description"]),
            examples=tuple(examples),
            system_prompt=str(data["system_prompt"]),
            source=str(path),
            adapter=_adapter_source(path, data.get("adapter")),  # type: ignore[arg-type]
            adapter_model=data.get("adapter_model"),
        )
    except ExpertError as exc:
        raise ExpertError(f"{path}: {exc}") from exc


def load_experts(
    directories: Sequence[Path] = (), extra: Iterable[Expert] = ()
) -> dict[str, Expert]:
    """Built-in experts, then each directory's ``*.toml`` files, then ``extra`` (plugins).

    A later expert with the same name replaces an earlier one, so a user can override a
    built-in by writing a file with its name.
    """
    experts: dict[str, Expert] = {}
    for directory in (BUILTIN_DIR, *directories):
        if not directory.is_dir():
            raise ExpertError(f"experts directory {directory} does not exist")
        for path in sorted(directory.glob("*.toml")):
            expert = expert_from_toml(path)
            experts[expert.name] = expert
    for expert in extra:
        experts[expert.name] = expert
    return experts
