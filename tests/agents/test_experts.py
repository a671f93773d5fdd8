from pathlib import Path

import pytest

from agents.errors import ExpertError
from agents.experts import expert_from_toml, load_experts

REQUIRED = {"algorithm_design", "syntax_check", "test_writer", "complexity_review",
            "security_review"}


def test_builtin_experts_load_with_roles():
    experts = load_experts()
    assert REQUIRED <= set(experts)
    assert experts["algorithm_design"].role == "author"
    assert experts["syntax_check"].role == "reviewer"
    assert experts["test_writer"].role == "tester"
    assert all(len(e.examples) >= 3 for e in experts.values())


def test_user_directory_adds_and_overrides(tmp_path: Path):
    (tmp_path / "sql_expert.toml").write_text(
        'name = "sql_expert"\nrole = "reviewer"\ndescription = "SQL"\n'
        'examples = ["optimise this SQL query"]\nsystem_prompt = "You review SQL."\n'
    )
    (tmp_path / "syntax_check.toml").write_text(
        'name = "syntax_check"\nrole = "reviewer"\ndescription = "mine"\n'
        'examples = ["fix it"]\nsystem_prompt = "Custom."\n'
    )
    experts = load_experts([tmp_path])
    assert experts["sql_expert"].source.endswith("sql_expert.toml")
    assert experts["syntax_check"].system_prompt == "Custom."


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('name = "x"\nrole = "author"\n', "missing field"),
        ('name = "x"\nrole = "boss"\ndescription = "d"\nexamples = ["e"]\nsystem_prompt = "s"\n',
         "role must be one of"),
        ('name = "x y"\nrole = "author"\ndescription = "d"\nexamples = ["e"]\n'
         'system_prompt = "s"\n', "identifier"),
        ('name = "x"\nrole = "author"\ndescription = "d"\nexamples = []\nsystem_prompt = "s"\n',
         "routing example"),
        ("not toml = = =", "cannot read"),
        ('name = "x"\nrole = "author"\ndescription = "d"\nexamples = ["e"]\n'
         'system_prompt = "s"\ncolour = "red"\n', "unknown field"),
    ],
)
def test_invalid_expert_files_name_the_file_and_problem(tmp_path: Path, body: str, problem: str):
    path = tmp_path / "bad.toml"
    path.write_text(body)
    with pytest.raises(ExpertError) as info:
        expert_from_toml(path)
    assert problem in str(info.value)
    assert "bad.toml" in str(info.value)


def test_missing_directory_is_an_error(tmp_path: Path):
    with pytest.raises(ExpertError, match="does not exist"):
        load_experts([tmp_path / "nope"])
