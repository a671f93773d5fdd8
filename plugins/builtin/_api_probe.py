"""Resolve dotted API names in the installed environment (runs inside the sandbox).

Stdlib only. Imports installed modules, never the candidate's code: the candidate is only
parsed, in the verifier process. Prints one JSON list, one entry per reference.
"""

import importlib
import importlib.util
import json
import types


def _resolve(parts):
    obj = None
    for i, part in enumerate(parts):
        name = ".".join(parts[: i + 1])
        if obj is not None and not isinstance(obj, (types.ModuleType, type)):
            return {"status": "ok", "resolved": ".".join(parts[:i])}
        if obj is not None and hasattr(obj, part):
            obj = getattr(obj, part)
            continue
        if obj is None or isinstance(obj, types.ModuleType):
            try:
                spec = importlib.util.find_spec(name)
            except (ImportError, ValueError, AttributeError):
                spec = None
            except Exception as exc:  # noqa: BLE001
                return {"status": "unknown", "missing": name, "reason": repr(exc)[:300]}
            if spec is not None:
                try:
                    obj = importlib.import_module(name)
                except BaseException as exc:  # noqa: BLE001
                    return {"status": "unknown", "missing": name, "reason": repr(exc)[:300]}
                continue
        return {"status": "missing", "missing": name, "index": i}
    return {"status": "ok", "resolved": ".".join(parts)}


def _main(refs):
    print("\n@@API@@" + json.dumps([_resolve(parts) for parts in refs]))
