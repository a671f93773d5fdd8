// FactForge web console: plain JavaScript against the public /v1 API.
// Server text is only ever put into the page as text (textContent, createTextNode), never as
// HTML. The API key lives in sessionStorage (this tab only) and goes with every API call.
"use strict";

const KEY_STORAGE = "factforge.apiKey";
const $ = (id) => document.getElementById(id);

// --- small DOM helpers ------------------------------------------------------------------------
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

function showError(id, error) {
  const box = $(id);
  if (!error) {
    box.hidden = true;
    box.textContent = "";
    return;
  }
  box.textContent = describe(error);
  box.hidden = false;
}

function describe(error) {
  if (error instanceof ApiFailure) {
    const where = error.status ? `${error.status} ` : "";
    return `${where}${error.code}: ${error.message}`;
  }
  return `error: ${error && error.message ? error.message : String(error)}`;
}

function number(value, digits) {
  return typeof value === "number" ? value.toFixed(digits) : "–";
}

// --- the API ----------------------------------------------------------------------------------
class ApiFailure extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function apiKey() {
  return sessionStorage.getItem(KEY_STORAGE) || "";
}

function headers(extra) {
  const all = Object.assign({ Accept: "application/json" }, extra || {});
  const key = apiKey();
  if (key) all.Authorization = `Bearer ${key}`;
  return all;
}

async function failure(response) {
  let code = "http_error";
  let message = response.statusText || "request failed";
  try {
    const body = await response.json();
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
    }
  } catch (_) {
    // not JSON (a proxy's page): keep the status text
  }
  if (response.status === 401) keyNeeded(true);
  return new ApiFailure(response.status, code, message);
}

async function api(method, path, body) {
  const init = { method, headers: headers(body === undefined ? {} : {
    "Content-Type": "application/json" }) };
  if (body !== undefined) init.body = JSON.stringify(body);
  let response;
  try {
    response = await fetch(path, init);
  } catch (exc) {
    throw new ApiFailure(0, "network_error", `cannot reach the server (${exc.message})`);
  }
  if (!response.ok) throw await failure(response);
  return response.json();
}

// Server-Sent Events over fetch (EventSource cannot send the Authorization header). Calls
// onEvent with each event's JSON until the job's terminal `status` event. A dropped stream (the
// server restarting, a proxy's timeout) is resumed with Last-Event-ID; onStream("lost") and
// onStream("open") say when it is down and back. Gives up after RECONNECT_FOR_MS without one.
const TERMINAL = ["succeeded", "failed", "cancelled"];
const RECONNECT_FOR_MS = 60000;

async function followEvents(jobId, onEvent, signal, onStream) {
  let lastId = null;
  let lostSince = null;
  for (;;) {
    const extra = { Accept: "text/event-stream" };
    if (lastId) extra["Last-Event-ID"] = lastId;
    let response = null;
    try {
      response = await fetch(`/v1/jobs/${encodeURIComponent(jobId)}/events`,
                             { headers: headers(extra), signal });
    } catch (_) {
      if (signal.aborted) return false; // another job replaced this one
    }
    if (response && !response.ok && response.status < 500) throw await failure(response);
    if (response && response.ok) {
      lostSince = null;
      onStream("open");
      if (await readStream(response, onEvent, (id) => { lastId = id; })) return true;
      if (signal.aborted) return false;
    }
    lostSince = lostSince || Date.now();
    if (Date.now() - lostSince > RECONNECT_FOR_MS) {
      throw new ApiFailure(0, "stream_lost", `no connection to the job's events for ` +
        `${RECONNECT_FOR_MS / 1000} s (the job goes on; look it up later by its id)`);
    }
    onStream("lost");
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function readStream(response, onEvent, remember) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let raw = "";
  let buffer = "";
  let ended = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      raw += value;
      // normalise CRLF / CR line ends; a CR at the chunk's end may be half of a CRLF
      const cut = raw.endsWith("\r") ? raw.length - 1 : raw.length;
      buffer += raw.slice(0, cut).replace(/\r\n?/g, "\n");
      raw = raw.slice(cut);
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = parseBlock(block);
        if (event.id) remember(event.id);
        if (event.data === null) continue; // a comment (keep-alive ping)
        const payload = JSON.parse(event.data);
        onEvent(payload);
        if (payload.type === "status" && TERMINAL.includes(payload.status)) ended = true;
      }
    }
  } catch (_) {
    // the connection dropped (or this job was replaced): the caller resumes or stops
  }
  return ended;
}

function parseBlock(block) {
  const event = { id: null, data: null };
  const data = [];
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "id") event.id = value;
  }
  if (data.length) event.data = data.join("\n");
  return event;
}

// --- API key ----------------------------------------------------------------------------------
function keyNeeded(needed) {
  $("key-needed").hidden = !needed;
  if (needed) $("api-key").focus();
}

async function probeKey() {
  // a cheap call that needs the key when the server has keys
  try {
    await api("GET", "/v1/experts");
    keyNeeded(false);
    showError("key-error", null);
    $("key-state").textContent = apiKey() ? "key accepted" : "no key needed";
    return true;
  } catch (error) {
    $("key-state").textContent = "";
    if (error.status === 401 && !apiKey()) {
      showError("key-error", null);
    } else {
      showError("key-error", error);
    }
    return false;
  }
}

function setUpKey() {
  $("api-key").value = apiKey();
  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const key = $("api-key").value.trim();
    if (key && !/^[\x21-\x7e]+$/.test(key)) {  // what an HTTP header can carry
      showError("key-error", new Error("an API key is printable ASCII without spaces"));
      return;
    }
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
    probeKey();
  });
  $("key-forget").addEventListener("click", () => {
    sessionStorage.removeItem(KEY_STORAGE);
    $("api-key").value = "";
    probeKey();
  });
}

// --- tabs -------------------------------------------------------------------------------------
function setUpTabs() {
  const tabs = document.querySelectorAll("[role=tab]");
  for (const tab of tabs) {
    tab.addEventListener("click", () => {
      for (const other of tabs) {
        const selected = other === tab;
        other.setAttribute("aria-selected", String(selected));
        $(`tab-${other.dataset.tab}`).hidden = !selected;
      }
    });
  }
}

// --- jobs -------------------------------------------------------------------------------------
let running = null; // {jobId, controller}

function describeNode(event) {
  const data = event.data || {};
  switch (event.node) {
    case "route":
      return (data.experts || []).filter((e) => e.activated)
        .map((e) => `${e.name} ${number(e.weight, 2)}`).join(", ");
    case "draft":
      return `${data.candidates} candidate(s)${data.tests ? ", with tests" : ""}`;
    case "select":
      return `chose candidate ${data.chosen}`;
    case "review":
      return `${data.expert}: ${data.verdict} (round ${data.round})`;
    case "synthesise":
      return data.revision_by ? `revised by ${data.revision_by}` : "no revision";
    case "verify":
      return `${data.status}${data.reason ? ` — ${data.reason}` : ""}`;
    case "next_round":
      return `round ${data.round}`;
    default:
      return "";
  }
}

function renderExperts(experts) {
  const body = $("job-experts").querySelector("tbody");
  clear(body);
  for (const expert of experts || []) {
    const meter = el("meter", { min: "0", max: "1", value: String(expert.weight || 0) });
    body.append(el("tr", { "data-expert": expert.name },
      el("td", { text: expert.name }),
      el("td", { class: "num", text: number(expert.weight, 3) }),
      el("td", {}, meter),
      el("td", { text: expert.activated ? "yes" : "no" })));
  }
}

function setStatus(status) {
  const badge = $("job-status");
  badge.textContent = status;
  badge.dataset.status = status;
}

function onJobEvent(event) {
  if (event.type === "node") {
    setStatus("running");
    const summary = describeNode(event);
    $("job-nodes").append(el("li", { "data-node": event.node },
      el("strong", { text: event.node }), summary ? ` — ${summary}` : ""));
    if (event.node === "route") renderExperts((event.data || {}).experts);
  } else if (event.type === "status") {
    setStatus(event.status);
  }
}

function renderResult(record) {
  setStatus(record.status);
  $("job-cancel").hidden = true;
  $("job-stream").hidden = true;
  const result = record.result;
  const outcome = $("job-outcome");
  $("job-result").hidden = false;
  if (!result) {
    const error = record.error || {};
    outcome.textContent = `Job ${record.status}` +
      (error.code ? ` — ${error.code}: ${error.message}` : "");
    outcome.dataset.status = record.status;
    $("job-code").textContent = "";
    $("job-explanation-box").hidden = true;
    clear($("job-verdicts").querySelector("tbody"));
    return;
  }
  outcome.textContent = `${result.status}${result.reason ? ` — ${result.reason}` : ""}`;
  outcome.dataset.status = result.status;
  $("job-code").textContent = result.code || "";
  $("job-explanation").textContent = result.explanation || "";
  $("job-explanation-box").hidden = !result.explanation;
  const body = $("job-verdicts").querySelector("tbody");
  clear(body);
  for (const verdict of result.verdicts || []) {
    body.append(el("tr", { "data-plugin": verdict.plugin },
      el("td", { text: verdict.plugin }),
      el("td", { class: `status ${verdict.status}`, text: verdict.status }),
      el("td", { class: "num", text: verdict.score == null ? "–" : number(verdict.score, 2) }),
      el("td", { text: verdict.message || "" })));
  }
  renderExperts(result.experts);
}

async function runJob(event) {
  event.preventDefault();
  showError("job-error", null);
  const body = { prompt: $("job-prompt").value };
  const samples = $("job-samples").value;
  const rounds = $("job-rounds").value;
  if (samples !== "") body.samples = Number(samples);
  if (rounds !== "") body.max_rounds = Number(rounds);
  if (running) running.controller.abort();
  let accepted;
  $("job-submit").disabled = true;
  try {
    accepted = await api("POST", "/v1/jobs", body);
  } catch (error) {
    showError("job-error", error);
    return;
  } finally {
    $("job-submit").disabled = false;
  }
  const jobId = accepted.job_id;
  const controller = new AbortController();
  running = { jobId, controller };
  $("job-view").hidden = false;
  $("job-result").hidden = true;
  $("job-cancel").hidden = false;
  $("job-id").textContent = jobId;
  clear($("job-nodes"));
  renderExperts([]);
  setStatus(accepted.status);
  try {
    const ended = await followEvents(jobId, onJobEvent, controller.signal, (state) => {
      $("job-stream").hidden = state !== "lost";
    });
    if (!ended) return; // another job replaced this one
    renderResult(await api("GET", `/v1/jobs/${encodeURIComponent(jobId)}`));
  } catch (error) {
    if (running && running.jobId === jobId) showError("job-error", error);
  }
}

async function cancelJob() {
  if (!running) return;
  try {
    await api("DELETE", `/v1/jobs/${encodeURIComponent(running.jobId)}`);
  } catch (error) {
    showError("job-error", error);
  }
}

// --- fact-check -------------------------------------------------------------------------------
function claimPattern(claim) {
  // the claim's words in order, any whitespace between them
  const words = claim.trim().split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(words.join("\\s+"), "g");
}

function showClaim(claim, index) {
  for (const node of document.querySelectorAll(".claim.selected")) {
    node.classList.remove("selected");
  }
  for (const node of document.querySelectorAll(`[data-claim="${index}"]`)) {
    node.classList.add("selected");
  }
  $("fc-detail").hidden = false;
  $("fc-detail-claim").textContent = claim.text;
  const verdict = $("fc-detail-verdict");
  verdict.textContent = claim.verdict;
  verdict.className = `verdict ${claim.verdict}`;
  $("fc-detail-confidence").textContent = number(claim.confidence, 2);
  const reason = $("fc-detail-reason");
  reason.textContent = claim.reason || "";
  reason.hidden = !claim.reason;
  const list = $("fc-evidence");
  clear(list);
  if (!(claim.evidence || []).length) list.append(el("li", { text: "no evidence found" }));
  for (const item of claim.evidence || []) {
    list.append(el("li", {},
      el("span", { class: "source", text: item.source }),
      el("span", { class: "score", text: ` score ${number(item.score, 2)}` }),
      el("blockquote", { text: item.text })));
  }
  $("fc-detail").scrollIntoView({ block: "nearest" });
}

function claimNode(tag, claim, index, text) {
  const node = el(tag, { class: `claim verdict ${claim.verdict}`, "data-claim": String(index),
                         "data-verdict": claim.verdict, tabindex: "0", role: "button",
                         title: `${claim.verdict} (${number(claim.confidence, 2)})` }, text);
  node.addEventListener("click", () => showClaim(claim, index));
  node.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      showClaim(claim, index);
    }
  });
  return node;
}

function renderFactCheck(text, report) {
  $("fc-result").hidden = false;
  $("fc-detail").hidden = true;
  const counts = report.counts || {};
  $("fc-summary").textContent =
    `score ${report.score == null ? "–" : number(report.score, 2)} · judge ${report.judge} · ` +
    `${counts.SUPPORTED || 0} supported, ${counts.REFUTED || 0} refuted, ` +
    `${counts.NOT_ENOUGH_INFO || 0} not enough info`;
  // the text, each claim found in it marked by its verdict (in order, left to right)
  const marked = $("fc-marked");
  clear(marked);
  let cursor = 0;
  report.claims.forEach((claim, index) => {
    const pattern = claimPattern(claim.text);
    pattern.lastIndex = cursor;
    const found = pattern.exec(text);
    if (!found) return;
    marked.append(document.createTextNode(text.slice(cursor, found.index)));
    marked.append(claimNode("mark", claim, index, found[0]));
    cursor = found.index + found[0].length;
  });
  marked.append(document.createTextNode(text.slice(cursor)));
  const list = $("fc-claims");
  clear(list);
  report.claims.forEach((claim, index) => {
    list.append(el("li", {}, claimNode("span", claim, index, claim.text),
      el("span", { class: "meta", text: ` ${claim.verdict} ${number(claim.confidence, 2)}` })));
  });
}

async function factCheck(event) {
  event.preventDefault();
  showError("fc-error", null);
  const text = $("fc-text").value;
  const body = { text };
  const collection = $("fc-collection").value.trim();
  const judge = $("fc-judge").value;
  if (collection) body.collection = collection;
  if (judge) body.judge = judge;
  $("fc-submit").disabled = true;
  $("fc-submit").textContent = "Checking…";
  try {
    renderFactCheck(text, await api("POST", "/v1/factcheck", body));
  } catch (error) {
    $("fc-result").hidden = true;
    showError("fc-error", error);
  } finally {
    $("fc-submit").disabled = false;
    $("fc-submit").textContent = "Fact-check";
  }
}

async function openTextFile() {
  const file = $("fc-file").files[0];
  if (file) $("fc-text").value = await file.text();
}

// --- knowledge base ---------------------------------------------------------------------------
async function upload(event) {
  event.preventDefault();
  showError("kb-upload-error", null);
  $("kb-upload-result").textContent = "";
  const documents = [];
  for (const file of $("kb-files").files) {
    documents.push({ text: await file.text(), source: file.name });
  }
  const pasted = $("kb-text").value;
  if (pasted.trim()) {
    documents.push({ text: pasted, source: $("kb-source").value.trim() || "pasted" });
  }
  if (!documents.length) {
    showError("kb-upload-error", new Error("choose a file or paste a document first"));
    return;
  }
  const body = { documents };
  const collection = $("kb-collection").value.trim();
  if (collection) body.collection = collection;
  $("kb-upload-submit").disabled = true;
  try {
    const report = await api("POST", "/v1/knowledge/documents", body);
    $("kb-upload-result").textContent =
      `${report.documents} document(s) into ${report.collection}: ${report.chunks} chunk(s), ` +
      `${report.added} added, ${report.skipped} already there`;
    $("kb-files").value = "";
    $("kb-text").value = "";
  } catch (error) {
    showError("kb-upload-error", error);
  } finally {
    $("kb-upload-submit").disabled = false;
  }
}

async function search(event) {
  event.preventDefault();
  showError("kb-search-error", null);
  const params = new URLSearchParams({ q: $("kb-query").value });
  const collection = $("kb-collection").value.trim();
  if (collection) params.set("collection", collection);
  if ($("kb-topk").value) params.set("top_k", $("kb-topk").value);
  const list = $("kb-hits");
  clear(list);
  try {
    const answer = await api("GET", `/v1/knowledge/search?${params}`);
    if (!answer.hits.length) list.append(el("li", { class: "empty", text: "no results" }));
    for (const hit of answer.hits) {
      list.append(el("li", { class: "hit" },
        el("span", { class: "source", text: hit.source }),
        el("span", { class: "score", text: ` score ${number(hit.score, 3)}` }),
        el("blockquote", { text: hit.text })));
    }
  } catch (error) {
    showError("kb-search-error", error);
  }
}

// --- start ------------------------------------------------------------------------------------
function start() {
  setUpKey();
  setUpTabs();
  $("job-form").addEventListener("submit", runJob);
  $("job-cancel").addEventListener("click", cancelJob);
  $("fc-form").addEventListener("submit", factCheck);
  $("fc-file").addEventListener("change", openTextFile);
  $("kb-upload").addEventListener("submit", upload);
  $("kb-search").addEventListener("submit", search);
  probeKey();
  document.body.dataset.ready = "true";
}

start();
