from __future__ import annotations

import pytest

from knowledge.errors import LoaderError
from knowledge.pydocs import load_package_docs


def test_stdlib_json_api_docs() -> None:
    docs = {d.source: d for d in load_package_docs("json")}
    dumps = docs["python:json.dumps"]
    assert dumps.text.startswith("def json.dumps(obj, *, skipkeys=False")
    assert "Serialize ``obj`` to a JSON formatted ``str``" in dumps.text
    assert dumps.title == "json.dumps" and dumps.metadata["kind"] == "function"
    assert docs["python:json.decoder.JSONDecoder"].metadata["kind"] == "class"
    assert docs["python:json.decoder.JSONDecoder.decode"].text.startswith(
        "def json.decoder.JSONDecoder.decode(self, s"
    )
    assert docs["python:json.decoder"].metadata["kind"] == "module"
    # re-exports are documented once, where they are defined
    assert "python:json.JSONDecoder" not in docs
    assert not any("._" in s.removeprefix("python:") for s in docs)


def test_module_cap_and_single_module() -> None:
    docs = load_package_docs("email", max_modules=3)
    modules = {d.source for d in docs if d.metadata["kind"] == "module"}
    assert len(modules) == 3 and "python:email" in modules
    single = load_package_docs("textwrap")
    assert "python:textwrap.dedent" in {d.source for d in single}


def test_side_effects_are_contained(capsys: pytest.CaptureFixture[str]) -> None:
    # importing `this` prints the Zen of Python; the loader must swallow that
    docs = load_package_docs("this")
    assert [d.source for d in docs] == ["python:this"]
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("name", ["no_such_package_xyz", "bad name", ""])
def test_unimportable_or_invalid_package(name: str) -> None:
    with pytest.raises(LoaderError):
        load_package_docs(name)
