"""The one plugin registry: entry-point discovery, lazy idempotent loading, listing, verify().

Built-in plugins are declared as :class:`importlib.metadata.EntryPoint` objects in
:data:`BUILTIN_ENTRY_POINTS` and load through exactly the same path as third-party plugins
found under the ``factforge.plugins`` entry-point group. A plugin that fails to import or to
register is listed with its error; it never stops the others.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from importlib import metadata
from typing import Any

import pluggy

from plugins import hookspecs
from plugins.config import PluginConfig, PluginInfo
from plugins.errors import PluginConfigError
from plugins.sandbox import Sandbox
from plugins.specs import ApiIndex, ExpertSpec, JudgeSpec, VerifierContext, VerifierSpec
from plugins.verdict import Candidate, Finding, Verdict
from plugins.verifier import Verifier, run_verifiers

__all__ = [
    "BUILTIN_ENTRY_POINTS",
    "ENTRY_POINT_GROUP",
    "PluginConfig",
    "PluginInfo",
    "PluginRegistry",
    "verify",
]

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "factforge.plugins"
_HOOKS = ("register_verifiers", "register_experts", "register_judges")
_SPEC_TYPES: dict[str, type] = {
    "register_verifiers": VerifierSpec,
    "register_experts": ExpertSpec,
    "register_judges": JudgeSpec,
}

BUILTIN_ENTRY_POINTS: tuple[metadata.EntryPoint, ...] = tuple(
    metadata.EntryPoint(name=name, value=value, group=ENTRY_POINT_GROUP)
    for name, value in (
        ("syntax", "plugins.builtin.syntax"),
        ("sandbox", "plugins.builtin.sandbox"),
        ("tests", "plugins.builtin.tests"),
        ("api_check", "plugins.builtin.api_check"),
    )
)


class _FailedVerifier:
    """Stands in for a verifier whose factory raised: every call is an ``error`` verdict."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        self._message = message

    def verify(self, candidate: Candidate) -> Verdict:
        return Verdict(self.name, "error", None, self._message,
                       (Finding("plugin_error", self._message),))


def _builtin_version() -> str:
    try:
        return metadata.version("factforge")
    except metadata.PackageNotFoundError:
        return "0+builtin"


class PluginRegistry:
    """Loads plugins once, on first use, and hands out their specs and verifiers."""

    def __init__(
        self,
        config: PluginConfig | None = None,
        *,
        builtins: Sequence[metadata.EntryPoint] = BUILTIN_ENTRY_POINTS,
        entry_points: Callable[[], Iterable[metadata.EntryPoint]] | None = None,
        api_index: ApiIndex | None = None,
    ) -> None:
        self.config = config or PluginConfig()
        self._builtins = tuple(builtins)
        self._entry_points = entry_points or (
            lambda: metadata.entry_points(group=ENTRY_POINT_GROUP)
        )
        self._api_index = api_index
        self._lock = threading.RLock()
        self._loaded = False
        self._infos: dict[str, PluginInfo] = {}
        self._specs: dict[str, list[tuple[str, Any]]] = {hook: [] for hook in _HOOKS}
        self._verifiers: list[Verifier] | None = None
        self._sandbox: Sandbox | None = None

    # --- loading ---------------------------------------------------------------------------
    def load(self) -> None:
        """Discover, import and register every allowed plugin; later calls do nothing."""
        with self._lock:
            if self._loaded:
                return
            self._loaded = True
            pm = pluggy.PluginManager(hookspecs.PROJECT)
            pm.add_hookspecs(hookspecs)
            candidates = [(ep, "builtin", _builtin_version()) for ep in self._builtins]
            if self.config.discover:
                candidates += list(self._discovered())
            for ep, source, version in candidates:
                self._load_one(pm, ep, source, version)

    def _discovered(self) -> Iterable[tuple[metadata.EntryPoint, str, str]]:
        builtin_values = {(ep.name, ep.value) for ep in self._builtins}
        try:
            found = list(self._entry_points())
        except Exception as exc:  # noqa: BLE001 - broken metadata must not stop the service
            log.warning("entry-point discovery failed: %r", exc)
            return
        for ep in found:
            if (ep.name, ep.value) in builtin_values:
                continue  # the installed factforge distribution declares the built-ins too
            dist = getattr(ep, "dist", None)
            name = dist.name if dist is not None else "unknown"
            version = dist.version if dist is not None else "unknown"
            yield ep, name, version

    def _load_one(self, pm: pluggy.PluginManager, ep: metadata.EntryPoint, source: str,
                  version: str) -> None:
        name = ep.name
        if name in self._infos:
            self._infos[f"{name}@{source}"] = PluginInfo(
                name, version, source, "failed",
                error=f"duplicate plugin name {name!r} (already loaded from "
                      f"{self._infos[name].source})")
            return
        if (self.config.allow and name not in self.config.allow) or name in self.config.deny:
            self._infos[name] = PluginInfo(name, version, source, "disabled")
            return
        try:
            plugin = ep.load()
            pm.register(plugin, name=name)
            pm.check_pending()
        except Exception as exc:  # noqa: BLE001 - a broken plugin is reported, not fatal
            if pm.has_plugin(name):
                pm.unregister(name=name)
            log.warning("plugin %s failed to load: %r", name, exc)
            self._infos[name] = PluginInfo(name, version, source, "failed",
                                           error=f"{type(exc).__name__}: {exc}")
            return
        hooks = tuple(sorted(h.name for h in (pm.get_hookcallers(plugin) or ())))
        provides, error = self._collect(pm, name, hooks)
        status = "failed" if error else "loaded"
        self._infos[name] = PluginInfo(name, version, source, status, hooks, provides, error)

    def _collect(self, pm: pluggy.PluginManager, name: str,
                 hooks: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
        provides: list[str] = []
        for hook in hooks:
            impls = [i for i in getattr(pm.hook, hook).get_hookimpls() if i.plugin_name == name]
            found: list[Any] = []

            def register(spec: Any, _hook: str = hook, _found: list[Any] = found) -> None:
                if not isinstance(spec, _SPEC_TYPES[_hook]):
                    raise PluginConfigError(
                        f"{_hook} expects {_SPEC_TYPES[_hook].__name__}, "
                        f"got {type(spec).__name__}")
                _found.append(spec)

            try:
                for impl in impls:
                    impl.function(register=register)
                self._check_unique(hook, found)
            except Exception as exc:  # noqa: BLE001
                log.warning("plugin %s failed in %s: %r", name, hook, exc)
                return tuple(provides), f"{hook}: {type(exc).__name__}: {exc}"
            for spec in found:
                if spec.name in self.config.deny:
                    continue
                self._specs[hook].append((name, spec))
                provides.append(spec.name)
        return tuple(provides), None

    def _check_unique(self, hook: str, found: list[Any]) -> None:
        taken = {spec.name for _, spec in self._specs[hook]}
        for spec in found:
            if spec.name in taken:
                raise PluginConfigError(f"name {spec.name!r} is already registered")
            taken.add(spec.name)

    # --- listing ---------------------------------------------------------------------------
    def plugins(self) -> list[PluginInfo]:
        """Every plugin seen: loaded, failed (with its error) or disabled by config."""
        self.load()
        return list(self._infos.values())

    def verifier_specs(self) -> list[VerifierSpec]:
        self.load()
        specs = [spec for _, spec in self._specs["register_verifiers"]]
        rank = {name: i for i, name in enumerate(self.config.order)}
        return sorted(specs, key=lambda s: (rank.get(s.name, len(rank)), s.order, s.name))

    def experts(self) -> list[ExpertSpec]:
        self.load()
        return [spec for _, spec in self._specs["register_experts"]]

    def judges(self) -> list[JudgeSpec]:
        self.load()
        return [spec for _, spec in self._specs["register_judges"]]

    def describe(self) -> dict[str, Any]:
        """A JSON-ready summary: plugins, and what each contributes (CLI and HTTP use it)."""
        self.load()
        rank = {spec.name: i for i, spec in enumerate(self.verifier_specs())}
        verifiers = sorted(self._specs["register_verifiers"], key=lambda ps: rank[ps[1].name])
        return {
            "plugins": [info.to_dict() for info in self.plugins()],
            "verifiers": [{"name": s.name, "plugin": p, "description": s.description,
                           "order": s.order} for p, s in verifiers],
            "experts": [{"name": s.name, "plugin": p, "role": s.role,
                         "description": s.description} for p, s in self._specs["register_experts"]],
            "judges": [{"name": s.name, "plugin": p, "description": s.description}
                       for p, s in self._specs["register_judges"]],
        }

    # --- verifiers -------------------------------------------------------------------------
    def context(self) -> VerifierContext:
        with self._lock:
            if self._sandbox is None:
                self._sandbox = Sandbox(self.config.sandbox, workers=self.config.sandbox_workers)
        return VerifierContext(self._sandbox, self._api_index, self.config.options)

    def verifiers(self) -> list[Verifier]:
        """The ordered verifiers, built once; a factory that raises yields an error stand-in."""
        with self._lock:
            if self._verifiers is None:
                context = self.context()
                built: list[Verifier] = []
                for spec in self.verifier_specs():
                    try:
                        built.append(spec.factory(context))
                    except Exception as exc:  # noqa: BLE001
                        log.warning("verifier %s factory failed: %r", spec.name, exc)
                        built.append(_FailedVerifier(
                            spec.name, f"verifier could not be built: {exc!r}"))
                self._verifiers = built
            return list(self._verifiers)

    def close(self) -> None:
        """Stop the sandbox's fork servers; the registry may be used again afterwards."""
        with self._lock:
            if self._sandbox is not None:
                self._sandbox.close()
                self._sandbox = None
            self._verifiers = None

    def __enter__(self) -> PluginRegistry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def verify(candidate: Candidate, registry: PluginRegistry) -> list[Verdict]:
    """Run every enabled verifier of ``registry`` on ``candidate``, each isolated."""
    return run_verifiers(candidate, registry.verifiers(), registry.config.timeout_s)
