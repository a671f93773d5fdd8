"""Built-in plugins: one module per verifier, each registered like a third-party plugin.

Declared in :data:`plugins.registry.BUILTIN_ENTRY_POINTS` (and in the project's
``factforge.plugins`` entry points): ``syntax``, ``sandbox``, ``tests``, ``api_check``.
"""
