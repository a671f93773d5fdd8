"""``factforge kb`` through typer's CliRunner, against an embedded Chroma in a tmp data dir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factforge.cli.kb import app


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("FACTFORGE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("FACTFORGE_CHROMA_URL", raising=False)
    monkeypatch.delenv("FACTFORGE_EMBEDDING_MODEL", raising=False)
    return tmp_path / "data"


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    (root / "sub").mkdir(parents=True)
    (root / "tower.md").write_text(
        "# Eiffel Tower\n\nThe Eiffel Tower in Paris was completed in 1889.", encoding="utf-8"
    )
    (root / "sub" / "kill.txt").write_text(
        "The kill command sends SIGTERM to a process to terminate it.", encoding="utf-8"
    )
    return root


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_ingest_twice_then_query_stats_delete(data_dir: Path, docs: Path) -> None:
    code, out, _ = invoke("ingest", str(docs), "--collection", "demo")
    assert code == 0
    assert "2 documents, 2 chunks into demo: added 2, skipped 0" in out
    code, out, _ = invoke("ingest", str(docs), "-c", "demo", "--json")
    assert code == 0
    assert json.loads(out) == {
        "collection": "demo", "documents": 2, "chunks": 2, "added": 0, "skipped": 2
    }  # fmt: skip
    assert (data_dir / "chroma").is_dir()

    code, out, _ = invoke(
        "query", "How do I stop a process?", "-c", "demo", "--top-k", "1", "--json"
    )
    assert code == 0
    [hit] = json.loads(out)
    assert hit["source"] == str((docs / "sub" / "kill.txt").resolve())
    assert 0 < hit["score"] <= 1 and "SIGTERM" in hit["text"]
    code, out, _ = invoke("query", "Eiffel Tower", "-c", "demo")
    assert code == 0 and "tower.md" in out and "1889" in out

    code, out, _ = invoke("stats", "--json")
    assert code == 0
    [stats] = json.loads(out)
    assert stats["collection"] == "demo" and stats["count"] == 2
    code, out, _ = invoke("stats", "-c", "demo")
    assert code == 0 and "kill.txt" in out
    code, out, _ = invoke("stats")  # every collection, and in each the chunks per source
    assert code == 0 and "demo: 2 chunks from 2 sources" in out
    assert "      1  " + str((docs / "sub" / "kill.txt").resolve()) in out
    assert "tower.md" in out

    code, out, _ = invoke("delete", "--source", str(docs / "tower.md"), "-c", "demo", "--json")
    assert code == 0
    assert json.loads(out)["deleted"] == 1
    code, out, _ = invoke("stats", "-c", "demo", "--json")
    assert json.loads(out)[0]["count"] == 1
    code, out, err = invoke("delete", "--source", "never-ingested", "-c", "demo")
    assert code == 0 and "nothing to delete" in err


def test_ingest_python_package_docs(data_dir: Path) -> None:
    code, out, _ = invoke("ingest", "--package", "textwrap", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["collection"] == "knowledge" and report["added"] > 3
    code, out, _ = invoke("query", "remove common leading whitespace", "--json", "-k", "3")
    assert "python:textwrap.dedent" in [h["source"] for h in json.loads(out)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ingest", "/definitely/not/here"], "no such file or directory"),
        (["ingest"], "give at least one PATH or --package"),
        (["ingest", "--package", "no_such_pkg_zz"], "cannot import package"),
        (["query", "anything", "-c", "missing"], "collection 'missing' does not exist"),
        (["query", "  "], "the query is empty"),
        (["stats", "-c", "missing"], "collection 'missing' does not exist"),
        (["delete", "--source", "x", "-c", "missing"], "does not exist"),
        (["stats", "-c", "a"], "invalid collection name"),
    ],
)
def test_bad_input_exits_2_with_a_message(data_dir: Path, args: list[str], message: str) -> None:
    code, out, err = invoke(*args)
    assert code == 2
    assert message in err and "Traceback" not in out + err


def test_bad_settings_exit_2(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACTFORGE_CHROMA_URL", "chroma:8000")
    code, _, err = invoke("stats")
    assert code == 2 and "invalid Chroma URL" in err


def test_empty_directory_is_reported(data_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = invoke("ingest", str(tmp_path / "empty"))
    assert code == 2 and "no documents found" in err
