"""The one error hierarchy of the ``plugins`` package."""

from __future__ import annotations


class PluginsError(Exception):
    """Base class of every error raised by ``plugins``."""

    code = "plugins_error"


class PluginLoadError(PluginsError):
    """A plugin could not be imported or registered."""

    code = "plugin_load_failed"


class PluginConfigError(PluginsError):
    """A plugin configuration or a spec a plugin handed over is invalid."""

    code = "plugin_config_invalid"


class SandboxError(PluginsError):
    """The sandbox could not run a program (fork server died, bad request)."""

    code = "sandbox_failed"
