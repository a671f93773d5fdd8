"""The web console (/ui) in a REAL headless browser (Debian's chromium driven by Playwright)
against a REAL `factforge serve` subprocess: embedded mode (the model is the ordinary openai
backend pointed at a scripted OpenAI-compatible server in this process), a protected server
(API keys) and distributed mode (real Redis and a Celery worker).

The browser is never downloaded: chromium must be installed (`.ci/run` installs it with
apt-get). Without it these tests FAIL; set FACTFORGE_SKIP_BROWSER_TESTS=1 to skip them.
A failing test leaves a screenshot and the page's console log in its tmp dir (the path is
printed with the failure).
"""

from __future__ import annotations

import fnmatch
import os
import re
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fastapi.testclient import TestClient

from factforge.api import create_app
from factforge.api.ui import ASSETS
from factforge.settings import Settings
from tests.fixtures.serve_process import stop_serve
from tests.fixtures.factcheck_kb import DOCUMENTS
from tests.fixtures.scripted_openai import ScriptedOpenAIServer
from tests.fixtures.services import ROOT, CeleryWorker, RedisServer, free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]
WAIT_MS = 240_000  # the first fact-check loads the reader judge; the machine may be busy
TASK = "Implement quicksort in Python"
# the job's result rendered (a "succeeded" status event can come before the result fetch)
RESULT_SHOWN = "#job-outcome[data-status=verified]"
KB = "ui-factcheck"
# a paragraph of one supported claim and one the KB refutes ("Quicksort is not a stable sort."
# in algorithms.md); the reader judge gives REFUTED 0.85 and SUPPORTED 0.82, run after run
PARAGRAPH = ("Harbor listens on port 8080 by default. Quicksort is a stable sort.")
REFUTED = "Quicksort is a stable sort."
SUPPORTED = "Harbor listens on port 8080 by default."


# -- the server under test ---------------------------------------------------------------------
class Serve:
    """One `python -m factforge serve` subprocess on its own data dir and port."""

    def __init__(self, directory: Path, env: dict[str, str], port: int | None = None) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = directory / "serve.log"
        full = {k: v for k, v in os.environ.items() if not k.startswith("FACTFORGE_")}
        full.update({
            "FACTFORGE_DATA_DIR": str(directory / "data"), "FACTFORGE_PORT": str(self.port),
            "FACTFORGE_SANDBOX_WORKERS": "1",
            "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
            "PYTHONPATH": str(ROOT) + os.pathsep + full.get("PYTHONPATH", ""),
            "PYTHONWARNINGS": "ignore",
        })
        full.update(env)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "factforge", "serve"], cwd=directory, env=full,
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self.http = httpx.Client(base_url=self.url, timeout=180)
        deadline = time.monotonic() + 180
        while True:
            assert self.process.poll() is None, f"serve exited: {self.log()}"
            try:
                if self.http.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"serve did not start: {self.log()}"
            time.sleep(0.2)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def close(self) -> None:
        self.http.close()
        stop_serve(self.process)
        self._log.close()


@pytest.fixture(scope="module")
def model() -> Iterator[ScriptedOpenAIServer]:
    # slow enough that a job's nodes arrive one by one, seconds apart
    with ScriptedOpenAIServer(delay_s=0.5) as server:
        yield server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory,
           model: ScriptedOpenAIServer) -> Iterator[Serve]:
    serve = Serve(tmp_path_factory.mktemp("serve"), {
        "FACTFORGE_BACKEND": "openai", "FACTFORGE_OPENAI_BASE_URL": model.url})
    yield serve
    serve.close()


# -- the browser -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    if os.environ.get("FACTFORGE_SKIP_BROWSER_TESTS") == "1":
        pytest.skip("FACTFORGE_SKIP_BROWSER_TESTS=1: the web console's browser tests are off")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no browser at {CHROMIUM}: install Debian's chromium (`apt-get install -y "
                    "chromium`; .ci/run does) or set FACTFORGE_SKIP_BROWSER_TESTS=1 to skip the "
                    "web console's tests", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright.chromium


class Console:
    """A browser tab on a server's /ui, with what its page logged."""

    def __init__(self, page: object, log: list[str]) -> None:
        self.page = page
        self.log = log

    def open(self, server: Serve) -> None:
        response = self.page.goto(f"{server.url}/ui")
        assert response.status == 200
        self.page.wait_for_selector("body[data-ready=true]")

    def tab(self, name: str) -> None:
        self.page.click(f"[role=tab][data-tab={name}]")

    def text(self, selector: str) -> str:
        return self.page.locator(selector).inner_text()

    def problems(self) -> list[str]:
        """Script errors and Content-Security-Policy violations the page reported."""
        return [line for line in self.log
                if line.startswith("pageerror") or "Content Security Policy" in line]


@pytest.fixture
def console(chromium: object, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Console]:
    context = chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
    page = context.pages[0] if context.pages else context.new_page()
    page.set_default_timeout(WAIT_MS)
    log: list[str] = []
    page.on("console", lambda message: log.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: log.append(f"pageerror: {error}"))
    failed = request.session.testsfailed
    try:
        yield Console(page, log)
    finally:
        if request.session.testsfailed > failed:  # this test failed: keep what the page showed
            shot = tmp_path / "screenshot.png"
            (tmp_path / "console.log").write_text("\n".join(log))
            try:
                page.screenshot(path=str(shot), full_page=True)
            except Exception as exc:  # the page may be gone; the log is kept
                shot = f"none ({exc})"
            print(f"web console screenshot: {shot}; page log: {tmp_path / 'console.log'}")
        context.close()


def _node_times(console: Console) -> None:
    """Record when each progress line and the terminal status appear (page clock, ms)."""
    console.page.evaluate("""() => {
        window.seen = {nodes: [], status: {}};
        new MutationObserver(() => {
            const count = document.querySelectorAll('#job-nodes li').length;
            while (window.seen.nodes.length < count) window.seen.nodes.push(performance.now());
            const status = document.getElementById('job-status').textContent;
            if (!(status in window.seen.status)) window.seen.status[status] = performance.now();
        }).observe(document.body, {subtree: true, childList: true, characterData: true});
    }""")


# -- the page's files (no browser) -------------------------------------------------------------
def test_the_console_loads_without_a_key_and_serves_only_its_files(tmp_path: Path) -> None:
    client = TestClient(create_app(Settings(api_keys=["k1"], data_dir=tmp_path)))
    page = client.get("/ui")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert client.get("/ui/", follow_redirects=False).headers["location"] == "/ui"
    assert client.get("/ui/app.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/ui/app.css").headers["content-type"].startswith("text/css")
    for name in ("nope.js", "..%2fapp.py", "__init__.py"):
        missing = client.get(f"/ui/{name}")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert client.get("/v1/experts").status_code == 401  # the API behind it still needs a key
    assert "/ui" not in client.get("/openapi.json").json()["paths"]


def test_the_console_fetches_nothing_from_elsewhere_and_writes_no_html() -> None:
    folder = ROOT / "factforge" / "api" / "ui"
    html = (folder / "index.html").read_text()
    script = (folder / "app.js").read_text()
    assert re.findall(r'(?:src|href)="([^"]+)"', html) == ["/ui/app.css", "/ui/app.js"]
    # no absolute or protocol-relative URL anywhere: every fetch goes to this origin's /v1
    assert not re.search(r"https?:|wss?:|[\"'`]//", html + script)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script, sink


def test_the_console_files_are_package_data() -> None:
    """A non-editable install ships them: pyproject's package data covers each file."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    package_data = config["tool"]["setuptools"]["package-data"]
    patterns = package_data.get("factforge.api.ui", []) + package_data.get("*", [])
    for name in ASSETS:
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name


# -- in the browser ----------------------------------------------------------------------------
def test_a_job_runs_and_its_nodes_arrive_live(console: Console, server: Serve) -> None:
    console.open(server)
    _node_times(console)
    console.page.fill("#job-prompt", TASK)
    console.page.fill("#job-rounds", "0")
    console.page.click("#job-submit")
    console.page.wait_for_selector("#job-status[data-status=succeeded]")
    page = console.page

    nodes = page.locator("#job-nodes li").evaluate_all("els => els.map(e => e.dataset.node)")
    assert nodes[:3] == ["route", "draft", "select"] and nodes[-1] == "verify", nodes
    # live: the first node was on the page well before the job ended (model calls take 0.5 s)
    seen = page.evaluate("window.seen")
    assert len(seen["nodes"]) == len(nodes)
    assert seen["status"]["succeeded"] - seen["nodes"][0] > 500, seen

    console.page.wait_for_selector(RESULT_SHOWN)  # the status event may come before the result
    assert "def quicksort" in console.text("#job-code")
    assert console.text("#job-outcome").startswith("verified")
    verdicts = dict(page.locator("#job-verdicts tbody tr").evaluate_all(
        "rows => rows.map(r => [r.dataset.plugin, r.children[1].textContent])"))
    assert verdicts["tests"] == "pass" and verdicts["sandbox"] == "pass", verdicts
    experts = page.locator("#job-experts tbody tr").evaluate_all(
        "rows => rows.map(r => [r.dataset.expert, Number(r.children[1].textContent)])")
    assert experts and experts[0][0] == "algorithm_design" and experts[0][1] > 0.5, experts

    job_id = console.text("#job-id")
    record = server.http.get(f"/v1/jobs/{job_id}").json()  # the page shows the server's answer
    assert record["status"] == "succeeded" and record["result"]["code"].strip() in \
        console.text("#job-code")

    # a second job, cancelled from the page while it runs
    page.click("#job-submit")
    page.wait_for_function("id => document.getElementById('job-id').textContent !== id",
                           arg=job_id)
    page.click("#job-cancel")
    page.wait_for_selector("#job-status[data-status=cancelled]")
    assert console.text("#job-outcome").startswith("Job cancelled")
    assert server.http.get(f"/v1/jobs/{console.text('#job-id')}").json()["status"] == \
        "cancelled"
    assert console.problems() == []


def test_a_paragraph_is_fact_checked_and_the_refuted_claim_is_marked(
        console: Console, server: Serve) -> None:
    added = server.http.post("/v1/knowledge/documents", json={
        "collection": KB, "documents": [{"text": text, "source": source}
                                        for source, text in DOCUMENTS]})
    assert added.status_code == 200, added.text
    console.open(server)
    console.tab("factcheck")
    console.page.set_input_files("#fc-file", {  # opened from a file, as a user would
        "name": "claims.txt", "mimeType": "text/plain", "buffer": PARAGRAPH.encode()})
    console.page.wait_for_function("() => document.getElementById('fc-text').value !== ''")
    assert console.page.input_value("#fc-text") == PARAGRAPH
    console.page.fill("#fc-collection", KB)
    console.page.click("#fc-submit")
    page = console.page
    refuted = page.locator("#fc-marked mark[data-verdict=REFUTED]")
    refuted.wait_for()
    assert refuted.inner_text() == REFUTED
    assert page.locator("#fc-marked mark[data-verdict=SUPPORTED]").inner_text() == SUPPORTED
    assert console.text("#fc-marked") == PARAGRAPH  # the text as written, claims marked in it
    colour = refuted.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(251, 217, 217)", colour  # the refuted colour of app.css

    refuted.click()
    assert console.text("#fc-detail-verdict") == "REFUTED"
    assert console.text("#fc-detail-claim") == REFUTED
    evidence = page.locator("#fc-evidence li").first
    assert evidence.locator(".source").inner_text() == "algorithms.md"
    assert "Quicksort is not a stable sort." in evidence.locator("blockquote").inner_text()
    assert "1 supported, 1 refuted" in console.text("#fc-summary")

    # the API's reason is shown as it is: an unknown collection is a 404 naming it
    page.fill("#fc-collection", "no-such-collection")
    page.click("#fc-submit")
    page.wait_for_selector("#fc-error:not([hidden])")
    error = console.text("#fc-error")
    assert error.startswith("404 ") and "no-such-collection" in error, error
    assert console.problems() == []


def test_documents_are_uploaded_and_searched(console: Console, server: Serve) -> None:
    console.open(server)
    console.tab("knowledge")
    page = console.page
    page.fill("#kb-collection", "ui-docs")
    harbor = dict(DOCUMENTS)["harbor/README.md"]
    markup = "Unsafe notes: <img src=x onerror=alert(1)> <b>bold</b> stays text."
    page.set_input_files("#kb-files", [
        {"name": "harbor.md", "mimeType": "text/markdown", "buffer": harbor.encode()},
        {"name": "markup.txt", "mimeType": "text/plain", "buffer": markup.encode()},
    ])
    page.click("#kb-upload-submit")
    page.wait_for_selector("#kb-upload-result:has-text('document(s) into')")
    assert console.text("#kb-upload-result").startswith("2 document(s) into ui-docs")

    page.fill("#kb-query", "Which port does Harbor listen on by default?")
    page.click("#kb-search-submit")
    first = page.locator("#kb-hits li.hit").first
    first.wait_for()
    assert first.locator(".source").inner_text() == "harbor.md"
    assert "port 8080" in first.locator("blockquote").inner_text()

    page.fill("#kb-query", "unsafe notes bold")
    page.click("#kb-search-submit")
    page.locator("#kb-hits li.hit .source", has_text="markup.txt").wait_for()
    assert "<img src=x onerror=alert(1)>" in console.text("#kb-hits")  # as text
    assert page.locator("#kb-hits img, #kb-hits b").count() == 0  # never as HTML

    page.fill("#kb-collection", "bad..name")
    page.click("#kb-search-submit")
    page.wait_for_selector("#kb-search-error:not([hidden])")
    assert console.text("#kb-search-error").startswith("422 invalid_request: ")
    assert console.problems() == []


def test_a_protected_server_asks_for_the_key_and_shows_a_wrong_one(
        console: Console, tmp_path: Path) -> None:
    protected = Serve(tmp_path / "protected", {"FACTFORGE_API_KEYS": "right-key,other-key"})
    try:
        console.open(protected)  # the page itself loads without a key
        page = console.page
        page.wait_for_selector("#key-needed:not([hidden])")
        sent: list[str | None] = []
        page.on("request", lambda r: sent.append(r.headers.get("authorization"))
                if "/v1/" in r.url else None)

        page.fill("#api-key", "bad key\u00e9")  # not sendable as a header: said so, not sent
        page.click("#key-save")
        page.wait_for_selector("#key-error:not([hidden])")
        assert console.text("#key-error") == "error: an API key is printable ASCII without spaces"
        assert sent == []

        page.fill("#api-key", "wrong-key")
        page.click("#key-save")
        page.wait_for_selector("#key-error:has-text('401')")
        assert console.text("#key-error") == "401 unauthorized: invalid API key"
        assert sent == ["Bearer wrong-key"]

        page.fill("#api-key", "right-key")
        page.click("#key-save")
        page.wait_for_selector("#key-state:has-text('key accepted')")
        assert page.locator("#key-needed").is_hidden() and page.locator("#key-error").is_hidden()
        assert page.evaluate("sessionStorage.getItem('factforge.apiKey')") == "right-key"
        assert page.evaluate("localStorage.length") == 0

        # the key goes with every call the page makes, and survives a reload of the tab
        page.reload()
        page.wait_for_selector("body[data-ready=true]")
        console.tab("knowledge")
        page.fill("#kb-collection", "keyed")
        page.fill("#kb-text", "The staging cluster runs in Frankfurt.")
        page.click("#kb-upload-submit")
        page.wait_for_selector("#kb-upload-result:has-text('document(s) into')")
        page.fill("#kb-query", "Where does the staging cluster run?")
        page.click("#kb-search-submit")
        page.locator("#kb-hits li.hit").first.wait_for()
        assert "Frankfurt" in console.text("#kb-hits")
        assert sent[1:] and set(sent[1:]) == {"Bearer right-key"}, sent
        assert console.problems() == []
    finally:
        protected.close()


def test_the_page_follows_a_job_across_a_server_restart(console: Console,
                                                        tmp_path: Path) -> None:
    """SIGTERM mid-job: the stream drops, the job goes back to queued; the server restarts on
    the same data dir and port, and the page resumes the events after the last one it had
    (Last-Event-ID), so it shows the job to its end with no node twice."""
    with ScriptedOpenAIServer(delay_s=1.0) as slow:
        env = {"FACTFORGE_BACKEND": "openai", "FACTFORGE_OPENAI_BASE_URL": slow.url}
        first = Serve(tmp_path / "srv", env)
        second = None
        try:
            console.open(first)
            page = console.page
            resumed: list[str] = []
            page.on("request", lambda r: resumed.append(r.headers["last-event-id"])
                    if "last-event-id" in r.headers else None)
            page.fill("#job-prompt", TASK)
            page.fill("#job-rounds", "0")
            page.click("#job-submit")
            page.wait_for_selector("#job-nodes li[data-node=draft]")
            first.close()  # SIGTERM: a clean stop mid-job
            page.wait_for_selector("#job-stream:not([hidden])")
            second = Serve(tmp_path / "srv", env, port=first.port)
            page.wait_for_selector("#job-status[data-status=succeeded]")
            assert page.locator("#job-stream").is_hidden()
            nodes = page.locator("#job-nodes li").evaluate_all(
                "els => els.map(e => e.dataset.node)")
            assert nodes[:3] == ["route", "draft", "select"] and nodes[-1] == "verify", nodes
            assert [nodes.count(n) for n in ("route", "draft", "select", "verify")] == [1] * 4
            assert resumed and all(r.isdigit() and int(r) >= 2 for r in resumed), resumed
            page.wait_for_selector(RESULT_SHOWN)
            assert "def quicksort" in console.text("#job-code")
            assert console.problems() == []
        finally:
            if second is not None:
                second.close()
            if first.process.poll() is None:
                first.close()


def test_distributed_mode_runs_a_job_from_the_console(console: Console, tmp_path: Path) -> None:
    redis_server = RedisServer(tmp_path / "redis").start()
    worker = CeleryWorker(redis_server.url, tmp_path / "worker.log", name="ui")
    distributed = None
    try:
        worker.start()
        distributed = Serve(tmp_path / "api", {"FACTFORGE_REDIS_URL": redis_server.url})
        assert distributed.http.get("/healthz").json()["mode"] == "distributed"
        console.open(distributed)
        console.page.fill("#job-prompt", TASK)
        console.page.click("#job-submit")
        console.page.wait_for_selector("#job-status[data-status=succeeded]")
        console.page.wait_for_selector(RESULT_SHOWN)
        assert "def quicksort" in console.text("#job-code")
        assert console.text("#job-outcome").startswith("verified")
        assert console.page.locator("#job-nodes li[data-node=verify]").count() == 1
        assert console.problems() == []
    finally:
        if distributed is not None:
            distributed.close()
        worker.stop()
        redis_server.stop()
