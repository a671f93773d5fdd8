from __future__ import annotations

from importlib import metadata

import pytest

from plugins.errors import PluginConfigError
from plugins.registry import BUILTIN_ENTRY_POINTS, PluginConfig, PluginRegistry, verify
from plugins.specs import ExpertSpec, JudgeSpec, VerifierSpec
from plugins.verdict import Candidate

GOOD = """
from plugins.hookspecs import hookimpl
from plugins.specs import ExpertSpec, JudgeSpec, VerifierSpec
from plugins.verdict import Verdict

class Always:
    name = "always"
    def verify(self, candidate):
        return Verdict("always", "pass", 1.0, "ok " + candidate.code)

@hookimpl
def register_verifiers(register):
    register(VerifierSpec("always", lambda ctx: Always(), "always passes", order=5))

@hookimpl
def register_experts(register):
    register(ExpertSpec("tester_x", "tester", "writes tests", "You write tests.", ["a"]))

@hookimpl
def register_judges(register):
    register(JudgeSpec("length", lambda: len))
"""

BROKEN_IMPORT = "raise RuntimeError('boom at import')\n"

WRONG_SPEC = """
from plugins.hookspecs import hookimpl

@hookimpl
def register_verifiers(register):
    register({"name": "loose dict"})
"""

BAD_FACTORY = """
from plugins.hookspecs import hookimpl
from plugins.specs import VerifierSpec

def factory(ctx):
    raise ValueError("cannot build")

@hookimpl
def register_verifiers(register):
    register(VerifierSpec("fragile", factory))
"""


def _registry(*eps: metadata.EntryPoint, **config) -> PluginRegistry:
    cfg = PluginConfig(**config)
    return PluginRegistry(cfg, builtins=(), entry_points=lambda: list(eps))


def test_builtins_load_through_entry_points_and_list_versions_and_hooks() -> None:
    registry = PluginRegistry(PluginConfig(discover=False))
    infos = {info.name: info for info in registry.plugins()}
    assert set(infos) == {ep.name for ep in BUILTIN_ENTRY_POINTS}
    for info in infos.values():
        assert info.status == "loaded" and info.source == "builtin" and info.version
        assert info.hooks == ("register_verifiers",)
    names = [spec.name for spec in registry.verifier_specs()]
    assert names == ["syntax", "api_check", "sandbox", "tests", "factcheck"]
    registry.close()


def test_third_party_plugin_registers_all_three_kinds(make_plugin) -> None:
    registry = _registry(make_plugin("good", GOOD))
    [info] = registry.plugins()
    assert info.status == "loaded"
    assert info.hooks == ("register_experts", "register_judges", "register_verifiers")
    assert set(info.provides) == {"always", "tester_x", "length"}
    assert [e.name for e in registry.experts()] == ["tester_x"]
    assert registry.experts()[0].examples == ("a",)
    assert registry.judges()[0].factory() is len
    [verdict] = verify(Candidate(code="x"), registry)
    assert verdict.plugin == "always" and verdict.message == "ok x"
    described = registry.describe()
    assert described["verifiers"][0] == {
        "name": "always",
        "plugin": "good",
        "description": "always passes",
        "order": 5,
    }


def test_broken_plugins_are_reported_not_fatal(make_plugin) -> None:
    missing = metadata.EntryPoint("ghost", "no_such_module_ffx", "factforge.plugins")
    registry = _registry(
        missing,
        make_plugin("boom", BROKEN_IMPORT),
        make_plugin("loose", WRONG_SPEC),
        make_plugin("good", GOOD),
    )
    infos = {info.name: info for info in registry.plugins()}
    assert infos["ghost"].status == "failed" and "ModuleNotFoundError" in infos["ghost"].error
    assert infos["boom"].status == "failed" and "boom at import" in infos["boom"].error
    assert infos["loose"].status == "failed" and "expects VerifierSpec" in infos["loose"].error
    assert infos["good"].status == "loaded"
    assert [v.plugin for v in verify(Candidate(code=""), registry)] == ["always"]


def test_factory_failure_becomes_error_verdict(make_plugin) -> None:
    registry = _registry(make_plugin("fragile", BAD_FACTORY), make_plugin("good", GOOD))
    verdicts = {v.plugin: v for v in verify(Candidate(code="y"), registry)}
    assert verdicts["fragile"].status == "error" and "cannot build" in verdicts["fragile"].message
    assert verdicts["always"].status == "pass"


def test_allow_deny_and_order(make_plugin) -> None:
    good = make_plugin("good", GOOD)
    fragile = make_plugin("fragile", BAD_FACTORY)
    only_good = _registry(good, fragile, allow=("good",))
    status = {i.name: i.status for i in only_good.plugins()}
    assert status == {"good": "loaded", "fragile": "disabled"}
    no_verifier = _registry(good, deny=("always",))
    assert no_verifier.verifier_specs() == [] and no_verifier.experts()
    builtin = PluginRegistry(
        PluginConfig(discover=False, deny=("api_check",), order=("tests", "syntax"))
    )
    assert [s.name for s in builtin.verifier_specs()] == ["tests", "syntax", "sandbox", "factcheck"]
    assert {i.name: i.status for i in builtin.plugins()}["api_check"] == "disabled"


def test_duplicate_names_are_reported(make_plugin) -> None:
    registry = _registry(make_plugin("one", GOOD), make_plugin("two", GOOD))
    infos = {i.name: i for i in registry.plugins()}
    assert infos["one"].status == "loaded"
    assert infos["two"].status == "failed" and "already registered" in infos["two"].error


def test_loading_is_lazy_and_idempotent(make_plugin) -> None:
    calls = []
    good = make_plugin("good", GOOD)

    def entry_points() -> list[metadata.EntryPoint]:
        calls.append(1)
        return [good]

    registry = PluginRegistry(PluginConfig(), builtins=(), entry_points=entry_points)
    assert calls == []
    registry.plugins()
    registry.verifier_specs()
    registry.load()
    assert calls == [1]
    assert registry.verifiers()[0] is registry.verifiers()[0]


def test_installed_builtin_declarations_are_not_loaded_twice() -> None:
    duplicate = metadata.EntryPoint("syntax", "plugins.builtin.syntax", "factforge.plugins")
    registry = PluginRegistry(entry_points=lambda: [duplicate])
    assert [i.name for i in registry.plugins()].count("syntax") == 1


def test_specs_are_validated() -> None:
    with pytest.raises(PluginConfigError):
        VerifierSpec("bad name!", lambda ctx: None)
    with pytest.raises(PluginConfigError):
        VerifierSpec("ok", "not callable")  # type: ignore[arg-type]
    with pytest.raises(PluginConfigError):
        ExpertSpec("x", "boss", "d", "p")  # type: ignore[arg-type]
    with pytest.raises(PluginConfigError):
        ExpertSpec("x", "author", "", "p")
    with pytest.raises(PluginConfigError):
        JudgeSpec("j", 3)  # type: ignore[arg-type]
    with pytest.raises(PluginConfigError):
        PluginConfig(timeout_s=0)


def test_every_hook_documents_its_contract() -> None:
    import inspect

    from plugins import hookspecs

    hooks = [
        name
        for name, fn in vars(hookspecs).items()
        if inspect.isfunction(fn) and name.startswith("register_")
    ]
    assert sorted(hooks) == ["register_experts", "register_judges", "register_verifiers"]
    for name in hooks:
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert "register(" in doc and "Spec(" in doc, name


NO_EVAL = """
from plugins.hookspecs import hookimpl
from plugins.specs import VerifierSpec
from plugins.verdict import Verdict

class NoEval:
    name = "no_eval"
    def verify(self, candidate):
        ok = "eval(" not in candidate.code
        return Verdict("no_eval", "pass" if ok else "fail", None, "eval")

@hookimpl
def register_verifiers(register):
    register(VerifierSpec("no_eval", lambda ctx: NoEval()))
"""

SQL_EXPERT = """
from plugins.hookspecs import hookimpl
from plugins.specs import ExpertSpec, VerifierSpec
from plugins.verdict import Verdict

class Fine:
    name = "fine"
    def verify(self, candidate):
        return Verdict("fine", "pass")

@hookimpl
def register_verifiers(register):
    register(VerifierSpec("fine", lambda ctx: Fine()))

@hookimpl
def register_experts(register):
    register(ExpertSpec("sql-reviewer", "reviewer", "Reviews SQL", "You review SQL.", ["sql"]))
"""

BAD_JUDGES = """
from plugins.hookspecs import hookimpl
from plugins.specs import JudgeSpec

def explode():
    raise RuntimeError("weights missing")

@hookimpl
def register_judges(register):
    register(JudgeSpec("explodes", explode, "factory raises"))
    register(JudgeSpec("not_a_judge", lambda: len, "returns a builtin function"))
"""


def test_allow_accepts_a_verifier_name_and_keeps_only_it(make_plugin) -> None:
    """Issue 13: ALLOW=no_eval (a verifier's name, not its plugin's) disabled everything."""
    nosec = make_plugin("nosec", NO_EVAL)
    registry = PluginRegistry(PluginConfig(allow=("no_eval",)), entry_points=lambda: [nosec])
    registry.check()
    assert [s.name for s in registry.verifier_specs()] == ["no_eval"]
    status = {i.name: i.status for i in registry.plugins()}
    assert status["nosec"] == "loaded" and status["syntax"] == "disabled"
    mixed = PluginRegistry(
        PluginConfig(allow=("no_eval", "syntax"), order=("no_eval",)), entry_points=lambda: [nosec]
    )
    assert [s.name for s in mixed.verifier_specs()] == ["no_eval", "syntax"]


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        (
            {"allow": ("no_evl",)},
            "FACTFORGE_PLUGINS_ALLOW names no plugin, verifier, expert or judge: 'no_evl'",
        ),
        ({"allow": ("syntax", "nope")}, "'nope'"),
        ({"order": ("tests", "sintax")}, "FACTFORGE_PLUGINS_ORDER names no verifier: 'sintax'"),
        ({"order": ("nosec",)}, "names no verifier: 'nosec'"),  # a plugin, not a verifier
    ],
)
def test_allow_or_order_matching_nothing_is_a_configuration_error(
    make_plugin, config, problem
) -> None:
    nosec = make_plugin("nosec", NO_EVAL)
    labels = {"allow": "FACTFORGE_PLUGINS_ALLOW", "order": "FACTFORGE_PLUGINS_ORDER"}
    registry = PluginRegistry(PluginConfig(labels=labels, **config), entry_points=lambda: [nosec])
    with pytest.raises(PluginConfigError) as info:
        registry.verifiers()  # what a job would run: never fewer checks than configured
    message = str(info.value)
    assert problem in message
    assert "plugins: api_check, factcheck, nosec, sandbox, syntax, tests" in message
    assert "verifiers: api_check, factcheck, no_eval, sandbox, syntax, tests" in message
    for accessor in (registry.experts, registry.judges, registry.verifier_specs):
        with pytest.raises(PluginConfigError):
            accessor()
    described = registry.describe()  # listing still works, and says what is wrong
    assert described["problems"] and problem in " ".join(described["problems"])


def test_order_may_name_a_denied_verifier_and_deny_may_name_anything() -> None:
    registry = PluginRegistry(
        PluginConfig(discover=False, deny=("api_check", "unknown_x"), order=("api_check", "tests"))
    )
    registry.check()
    assert [s.name for s in registry.verifier_specs()][:2] == ["tests", "syntax"]


def test_an_expert_the_orchestrator_would_reject_fails_its_plugin_only(make_plugin) -> None:
    """Issue 13: ``sql-reviewer`` passed ExpertSpec, then Expert rejected it in every job."""
    registry = _registry(make_plugin("sql", SQL_EXPERT), make_plugin("good", GOOD))
    infos = {i.name: i for i in registry.plugins()}
    assert infos["sql"].status == "failed"
    assert "register_experts" in infos["sql"].error and "identifier" in infos["sql"].error
    assert infos["sql"].provides == ()  # none of a failed plugin's specs is used
    assert [s.name for s in registry.verifier_specs()] == ["always"]
    assert [e.name for e in registry.experts()] == ["tester_x"]


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "sql-reviewer"},
        {"name": "1st"},
        {"role": "boss"},
        {"description": " "},
        {"system_prompt": ""},
        {"examples": ()},
        {"examples": ("",)},
        {"examples": "one string"},
    ],
)
def test_expert_spec_and_expert_apply_one_rule(fields) -> None:
    from agents.errors import ExpertError
    from agents.experts import Expert

    good = {
        "name": "sql_reviewer",
        "role": "reviewer",
        "description": "Reviews SQL",
        "system_prompt": "You review SQL.",
        "examples": ("review this query",),
    }
    ExpertSpec(**good)
    Expert(**good)
    bad = {**good, **fields}
    with pytest.raises(PluginConfigError) as spec_error:
        ExpertSpec(**bad)
    with pytest.raises(ExpertError):
        Expert(**{**bad, "examples": tuple(bad["examples"])})
    assert "expert" in str(spec_error.value)


def test_a_broken_judge_is_reported_and_listed_not_fatal(make_plugin) -> None:
    from plugins.errors import PluginLoadError

    registry = _registry(make_plugin("judges", BAD_JUDGES), make_plugin("good", GOOD))
    assert {j["name"]: j["status"] for j in registry.describe()["judges"]} == {
        "explodes": "loaded",
        "not_a_judge": "loaded",
        "length": "loaded",
    }
    with pytest.raises(PluginLoadError, match="RuntimeError: weights missing"):
        registry.judge("explodes")
    with pytest.raises(PluginLoadError, match="not a judge"):
        registry.judge("not_a_judge")
    with pytest.raises(PluginLoadError, match="no plugin registered"):
        registry.judge("ghost")
    judges = {j["name"]: j for j in registry.describe()["judges"]}
    assert judges["explodes"]["status"] == "failed"
    assert "weights missing" in judges["explodes"]["error"]
    assert judges["not_a_judge"]["status"] == "failed"
    assert [v.plugin for v in verify(Candidate(code="x"), registry)] == ["always"]


def test_a_plugin_judge_cannot_shadow_a_builtin_judge(make_plugin) -> None:
    shadow = make_plugin(
        "shadow",
        """
from plugins.hookspecs import hookimpl
from plugins.specs import JudgeSpec

@hookimpl
def register_judges(register):
    register(JudgeSpec("cross", lambda: None))
""",
    )
    [info] = _registry(shadow).plugins()
    assert info.status == "failed" and "'cross' is already registered" in info.error
