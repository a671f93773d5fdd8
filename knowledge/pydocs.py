"""Documents from the API of an installed Python package: one per module, class and function.

Modules are imported (that is the only way to see their signatures) with stdout/stderr
captured and warnings silenced; a module that fails to import is skipped and logged. Private
names, test packages and ``__main__`` modules are skipped; the number of modules is capped.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import logging
import pkgutil
import warnings
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from knowledge.documents import Document
from knowledge.errors import LoaderError

__all__ = ["load_package_docs"]

log = logging.getLogger(__name__)

_SKIP_PARTS = frozenset({"tests", "test", "testing", "__main__", "conftest"})


def _quiet_import(name: str) -> ModuleType | None:
    sink = io.StringIO()
    try:
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stdout(sink),
            contextlib.redirect_stderr(sink),
        ):
            warnings.simplefilter("ignore")
            return importlib.import_module(name)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - a broken module must not stop the walk
        log.info("pydocs: skipping %s: %s: %s", name, type(exc).__name__, exc)
        return None


def _public(name: str) -> bool:
    return not name.startswith("_")


def _module_names(root: ModuleType, max_modules: int) -> list[str]:
    names = [root.__name__]
    path = getattr(root, "__path__", None)
    if path is None:
        return names
    stack = [(root.__name__, list(path))]
    while stack and len(names) < max_modules:
        prefix, search = stack.pop(0)
        for info in sorted(pkgutil.iter_modules(search, prefix=prefix + "."), key=lambda i: i.name):
            parts = info.name.split(".")
            if not all(_public(p) for p in parts[1:]) or _SKIP_PARTS & set(parts):
                continue
            names.append(info.name)
            if len(names) >= max_modules:
                break
            if info.ispkg:
                module = _quiet_import(info.name)
                sub_path = getattr(module, "__path__", None) if module else None
                if sub_path is not None:
                    stack.append((info.name, list(sub_path)))
    return names[:max_modules]


def _signature(obj: Any) -> str:
    try:
        return str(inspect.signature(obj))
    except (TypeError, ValueError):
        return "(...)"


def _doc(obj: Any) -> str:
    try:
        return inspect.cleandoc(obj.__doc__) if isinstance(obj.__doc__, str) else ""
    except Exception:  # noqa: BLE001 - exotic descriptors may raise anything
        return ""


def _document(qualname: str, header: str, obj: Any, kind: str) -> Document:
    doc = _doc(obj)
    text = header if not doc else f"{header}\n\n{doc}"
    return Document(
        text=text,
        source=f"python:{qualname}",
        title=qualname,
        metadata={"kind": kind},
    )


def _class_docs(module_name: str, cls: type) -> Iterator[Document]:
    qual = f"{module_name}.{cls.__qualname__}"
    yield _document(qual, f"class {qual}{_signature(cls)}", cls, "class")
    for name, member in sorted(vars(cls).items()):
        if not _public(name):
            continue
        func = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
        if inspect.isfunction(func) or inspect.ismethoddescriptor(func):
            yield _document(
                f"{qual}.{name}", f"def {qual}.{name}{_signature(func)}", func, "method"
            )
        elif isinstance(member, property):
            yield _document(f"{qual}.{name}", f"property {qual}.{name}", member, "property")


def _module_docs(module: ModuleType) -> Iterator[Document]:
    name = module.__name__
    yield _document(name, f"module {name}", module, "module")
    exported = getattr(module, "__all__", None)
    for attr in sorted(vars(module)):
        if not _public(attr) or (exported is not None and attr not in exported):
            continue
        obj = getattr(module, attr, None)
        if getattr(obj, "__module__", None) != name:
            continue  # re-exports are documented where they are defined
        if inspect.isclass(obj):
            yield from _class_docs(name, obj)
        elif inspect.isfunction(obj) or inspect.isbuiltin(obj):
            qual = f"{name}.{attr}"
            yield _document(qual, f"def {qual}{_signature(obj)}", obj, "function")


def load_package_docs(package: str, *, max_modules: int = 200) -> list[Document]:
    """One document per public module, class, method and function of ``package``."""
    if not package or not all(part.isidentifier() for part in package.split(".")):
        raise LoaderError(f"invalid package name {package!r}")
    root = _quiet_import(package)
    if root is None:
        raise LoaderError(f"cannot import package {package!r}")
    documents: list[Document] = []
    seen: set[str] = set()
    for module_name in _module_names(root, max(1, max_modules)):
        module = root if module_name == package else _quiet_import(module_name)
        if module is None:
            continue
        for document in _module_docs(module):
            if document.source not in seen:
                seen.add(document.source)
                documents.append(document)
    log.info("pydocs: %s -> %d documents", package, len(documents))
    return documents
