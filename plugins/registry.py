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
from plugins.config import PluginConfig, PluginInfo, config_problems
from plugins.errors import PluginConfigError, PluginLoadError
from plugins.sandbox import Sandbox
from plugins.specs import (
    ApiIndex,
    ExpertSpec,
    JudgeSpec,
    VerifierContext,
    VerifierSpec,
    check_judge,
)
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
        ("factcheck", "plugins.factcheck.plugin"),
    )
)


class _FailedVerifier:
    """Stands in for a verifier whose factory raised: every call is an ``error`` verdict."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        self._message = message

    def verify(self, candidate: Candidate) -> Verdict:
        return Verdict(
            self.name, "error", None, self._message, (Finding("plugin_error", self._message),)
        )


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
        self._plugin_names: set[str] = set()
        self._seen: dict[str, set[str]] = {hook: set() for hook in _HOOKS}
        self._problems: list[str] = []
        self._judges: dict[str, Any] = {}
        self._judge_errors: dict[str, str] = {}

    # --- loading ---------------------------------------------------------------------------
    def load(self) -> None:
        """Discover, import and register every allowed plugin; later calls do nothing.

        ``allow`` may name plugins (everything they provide is kept) or the verifiers,
        experts and judges plugins provide: when it names such an item, the plugins not
        named are imported too, to find it, and contribute only the named items.
        """
        with self._lock:
            if self._loaded:
                return
            self._loaded = True
            pm = pluggy.PluginManager(hookspecs.PROJECT)
            pm.add_hookspecs(hookspecs)
            candidates = [(ep, "builtin", _builtin_version()) for ep in self._builtins]
            if self.config.discover:
                candidates += list(self._discovered())
            self._plugin_names = {ep.name for ep, _, _ in candidates}
            items = set(self.config.allow) - self._plugin_names
            for ep, source, version in candidates:
                self._load_one(pm, ep, source, version, items)
            self._problems = config_problems(self.config, self.known_names())
            for problem in self._problems:
                log.error("plugin configuration: %s", problem)
            if not self._problems and not self._specs["register_verifiers"]:
                log.warning("no verifier is enabled: every job will be 'unverified'")

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

    def _load_one(
        self,
        pm: pluggy.PluginManager,
        ep: metadata.EntryPoint,
        source: str,
        version: str,
        items: set[str],
    ) -> None:
        name = ep.name
        if name in self._infos:
            self._infos[f"{name}@{source}"] = PluginInfo(
                name,
                version,
                source,
                "failed",
                error=f"duplicate plugin name {name!r} (already loaded from "
                f"{self._infos[name].source})",
            )
            return
        whole = not self.config.allow or name in self.config.allow
        if name in self.config.deny or not (whole or items):
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
            self._infos[name] = PluginInfo(
                name, version, source, "failed", error=f"{type(exc).__name__}: {exc}"
            )
            return
        hooks = tuple(sorted(h.name for h in (pm.get_hookcallers(plugin) or ())))
        provides, error = self._collect(pm, name, hooks, None if whole else items)
        status = "failed" if error else ("loaded" if whole or provides else "disabled")
        self._infos[name] = PluginInfo(name, version, source, status, hooks, provides, error)

    def _collect(
        self, pm: pluggy.PluginManager, name: str, hooks: tuple[str, ...], keep: set[str] | None
    ) -> tuple[tuple[str, ...], str | None]:
        """Run the plugin's hooks; all its specs are kept, or none when one hook fails.

        ``keep``: only specs with these names are used (None: all). Denied names never are.
        """
        found: dict[str, list[Any]] = {}
        for hook in hooks:
            impls = [i for i in getattr(pm.hook, hook).get_hookimpls() if i.plugin_name == name]
            specs: list[Any] = found.setdefault(hook, [])

            def register(spec: Any, _hook: str = hook, _specs: list[Any] = specs) -> None:
                if not isinstance(spec, _SPEC_TYPES[_hook]):
                    raise PluginConfigError(
                        f"{_hook} expects {_SPEC_TYPES[_hook].__name__}, got {type(spec).__name__}"
                    )
                _specs.append(spec)

            try:
                for impl in impls:
                    impl.function(register=register)
                self._check_unique(hook, specs)
            except Exception as exc:  # noqa: BLE001 - a bad spec fails its plugin, not the job
                log.warning("plugin %s failed in %s: %r", name, hook, exc)
                return (), f"{hook}: {type(exc).__name__}: {exc}"
        provides: list[str] = []
        for hook, specs in found.items():
            for spec in specs:
                self._seen[hook].add(spec.name)
                if spec.name in self.config.deny or (keep is not None and spec.name not in keep):
                    continue
                self._specs[hook].append((name, spec))
                provides.append(spec.name)
        return tuple(provides), None

    def _check_unique(self, hook: str, found: list[Any]) -> None:
        taken = {spec.name for _, spec in self._specs[hook]}
        if hook == "register_judges":
            from plugins.factcheck.judge import JUDGE_NAMES

            taken |= set(JUDGE_NAMES)  # a plugin judge cannot shadow a built-in one
        for spec in found:
            if spec.name in taken:
                raise PluginConfigError(f"name {spec.name!r} is already registered")
            taken.add(spec.name)

    def known_names(self) -> dict[str, set[str]]:
        """Every plugin name seen, and every item name an imported plugin registered."""
        self.load()
        return {
            "plugins": set(self._plugin_names),
            "verifiers": set(self._seen["register_verifiers"]),
            "experts": set(self._seen["register_experts"]),
            "judges": set(self._seen["register_judges"]),
        }

    def problems(self) -> list[str]:
        """Configuration errors found while loading (empty when the configuration is good)."""
        self.load()
        return list(self._problems)

    def check(self) -> None:
        """Raise :class:`PluginConfigError` when ``allow``/``order`` name something unknown.

        Every accessor that feeds jobs (verifiers, experts, judges) checks first, so a bad
        configuration fails at start-up or on the first job, never silently runs fewer checks.
        """
        problems = self.problems()
        if problems:
            raise PluginConfigError("invalid plugin configuration: " + "; ".join(problems))

    # --- listing ---------------------------------------------------------------------------
    def plugins(self) -> list[PluginInfo]:
        """Every plugin seen: loaded, failed (with its error) or disabled by config."""
        self.load()
        return list(self._infos.values())

    def _verifier_specs(self) -> list[VerifierSpec]:
        self.load()
        specs = [spec for _, spec in self._specs["register_verifiers"]]
        rank = {name: i for i, name in enumerate(self.config.order)}
        return sorted(specs, key=lambda s: (rank.get(s.name, len(rank)), s.order, s.name))

    def verifier_specs(self) -> list[VerifierSpec]:
        self.check()
        return self._verifier_specs()

    def experts(self) -> list[ExpertSpec]:
        self.check()
        return [spec for _, spec in self._specs["register_experts"]]

    def judges(self) -> list[JudgeSpec]:
        self.check()
        return [spec for _, spec in self._specs["register_judges"]]

    def judge(self, name: str) -> Any:
        """Build (once) the judge a plugin registered as ``name``, isolated like a verifier.

        Raises :class:`PluginLoadError` with the reason when no plugin registered ``name``,
        or when its factory raised or returned something that is not a judge (``name``,
        ``judge(claim, evidence)`` and ``judge_many(claims, evidence)``); the reason is listed
        by :meth:`describe` from then on.
        """
        specs = {spec.name: spec for spec in self.judges()}
        if name not in specs:
            raise PluginLoadError(f"no plugin registered a judge named {name!r}")
        with self._lock:
            if name in self._judges:
                return self._judges[name]
            if name in self._judge_errors:
                raise PluginLoadError(f"judge {name!r} failed: {self._judge_errors[name]}")
            try:
                judge = check_judge(specs[name].factory())
            except Exception as exc:  # noqa: BLE001 - a broken judge is reported, not fatal
                reason = f"{type(exc).__name__}: {exc}"
                log.warning("judge %s could not be built: %s", name, reason)
                self._judge_errors[name] = reason
                raise PluginLoadError(f"judge {name!r} failed: {reason}") from exc
            self._judges[name] = judge
            return judge

    def describe(self) -> dict[str, Any]:
        """A JSON-ready summary: plugins, what each contributes, configuration problems."""
        self.load()
        rank = {spec.name: i for i, spec in enumerate(self._verifier_specs())}
        verifiers = sorted(self._specs["register_verifiers"], key=lambda ps: rank[ps[1].name])
        return {
            "plugins": [info.to_dict() for info in self.plugins()],
            "verifiers": [
                {"name": s.name, "plugin": p, "description": s.description, "order": s.order}
                for p, s in verifiers
            ],
            "experts": [
                {"name": s.name, "plugin": p, "role": s.role, "description": s.description}
                for p, s in self._specs["register_experts"]
            ],
            "judges": [
                {
                    "name": s.name,
                    "plugin": p,
                    "description": s.description,
                    "status": "failed" if s.name in self._judge_errors else "loaded",
                    "error": self._judge_errors.get(s.name),
                }
                for p, s in self._specs["register_judges"]
            ],
            "problems": list(self._problems),
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
                        built.append(
                            _FailedVerifier(spec.name, f"verifier could not be built: {exc!r}")
                        )
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
