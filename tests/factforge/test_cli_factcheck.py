"""``factforge factcheck`` mounted on a bare typer app with real fact-check services."""

import json
import os

import pytest
import typer
from typer.testing import CliRunner

from factforge.cli.factcheck import factcheck
from tests.fixtures.factcheck_services import InMemoryFactCheckServices

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def app():
    services = InMemoryFactCheckServices()
    cli = typer.Typer()

    @cli.callback()
    def main(ctx: typer.Context):
        ctx.obj = services

    cli.command("factcheck")(factcheck)
    return cli


@pytest.fixture(scope="module")
def bare_app():
    cli = typer.Typer()
    cli.callback()(lambda: None)
    cli.command("factcheck")(factcheck)
    return cli


runner = CliRunner()


def test_json_output_and_exit_1_on_refuted(app):
    result = runner.invoke(
        app, ["factcheck", ("Pure water boils at 40 degrees Celsius at sea level."), "--json"]
    )
    assert result.exit_code == 1, result.output
    body = json.loads(result.stdout)
    assert body["claims"][0]["verdict"] == "REFUTED"
    assert body["claims"][0]["evidence"][0]["source"] == "physics"


def test_table_output_and_exit_0(app, tmp_path):
    f = tmp_path / "answer.md"
    f.write_text("Pure water boils at 100 degrees Celsius at sea level.")
    result = runner.invoke(app, ["factcheck", "--file", str(f)])
    assert result.exit_code == 0, result.output
    assert "SUPPORTED" in result.stdout and "document score" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["factcheck"],
        ["factcheck", "   "],
        ["factcheck", "text", "--file", "x.txt"],
        ["factcheck", "Water is wet.", "--judge", "oracle"],
        ["factcheck", "Water is wet.", "--top-k", "0"],
        ["factcheck", "--file", "/no/such/file.txt"],
    ],
)
def test_bad_input_exits_2_without_traceback(app, args):
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_unknown_collection_exits_2(app):
    result = runner.invoke(app, ["factcheck", "Water is wet today.", "--collection", "nope"])
    assert result.exit_code == 2
    assert "nope" in result.output and "Traceback" not in result.output


def test_unwired_services_exit_2(bare_app):
    result = runner.invoke(bare_app, ["factcheck", "Water is wet today."])
    assert result.exit_code == 2 and "not configured" in result.output


def test_documents_instead_of_the_knowledge_base(app, tmp_path):
    doc = tmp_path / "harbor.md"
    doc.write_text("Harbor is a web server written in Rust. It does not support HTTP/3.")
    result = runner.invoke(
        app, ["factcheck", "Harbor is written in Rust.", "--document", str(doc), "--json"]
    )
    assert result.exit_code in (0, 1), result.output
    evidence = json.loads(result.stdout)["claims"][0]["evidence"]
    assert evidence[0]["source"] == "harbor.md"
    assert evidence[0]["text"] in doc.read_text()


def test_document_with_a_collection_or_empty_is_exit_2(app, tmp_path):
    doc = tmp_path / "a.md"
    doc.write_text("Water is wet.")
    both = runner.invoke(
        app, ["factcheck", "Water is wet.", "--document", str(doc), "--collection", "default"]
    )
    assert both.exit_code == 2 and "not both" in both.output
    empty = tmp_path / "empty.md"
    empty.write_text("   ")
    result = runner.invoke(app, ["factcheck", "Water is wet.", "--document", str(empty)])
    assert result.exit_code == 2 and "empty" in result.output
    missing = runner.invoke(app, ["factcheck", "Water is wet.", "--document", "/nope.md"])
    assert missing.exit_code == 2
