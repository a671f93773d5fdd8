"""Evidence at sentence grain: sentence spans and the choice of windows per claim."""

from __future__ import annotations

from knowledge.types import SearchHit
from plugins.factcheck.evidence import select_evidence, sentence_spans

README = (
    "Harbor is a small web server written in Rust. It does not support HTTP/3, e.g. QUIC is "
    "missing.\n\nDr. J. Smith wrote it in 2019! Is it fast? Yes.\n- item one is here\n- item two"
)


def _hit(text: str) -> SearchHit:
    return SearchHit("c1", "doc", text, 0.9)


def test_sentence_spans_are_exact_offsets():
    spans = sentence_spans(README)
    texts = [README[s:e] for s, e in spans]
    assert texts == [
        "Harbor is a small web server written in Rust.",
        "It does not support HTTP/3, e.g. QUIC is missing.",
        "Dr. J. Smith wrote it in 2019!",
        "Is it fast? Yes.",  # a question with its answer
        "- item one is here",
        "- item two",
    ]
    assert all(README[s:e] == README[s:e].strip() for s, e in spans)


def test_sentence_spans_of_odd_text():
    assert sentence_spans("") == []
    assert sentence_spans("   \n\n  ") == []
    assert sentence_spans("no end mark") == [(0, 11)]
    text = "  leading space. Then more.  "
    assert [text[s:e] for s, e in sentence_spans(text)] == ["leading space.", "Then more."]


def test_a_pronoun_sentence_is_judged_with_its_antecedent():
    hits = [SearchHit("c1", "readme", README, 0.9)]
    windows = select_evidence("Harbor supports HTTP/3.", hits, max_windows=3)
    best = windows[0]
    assert best.text == README[best.start : best.end]
    assert best.text.startswith("Harbor is a small") and "HTTP/3" in best.text
    assert (best.chunk_id, best.source) == ("c1", "readme")


def test_windows_come_from_the_chunk_that_bears_on_the_claim():
    python = "Tuples are immutable. Python integers never overflow; they grow as needed."
    hits = [SearchHit("c1", "readme", README, 0.9), SearchHit("c2", "python", python, 0.4)]
    windows = select_evidence("Python integers overflow at 64 bits.", hits, max_windows=2)
    assert windows[0].chunk_id == "c2"
    assert "never overflow" in windows[0].text
    assert python[windows[0].start : windows[0].end] == windows[0].text
    # windows covering little of the claim are dropped, not padded in
    assert all(w.relevance >= windows[0].relevance * 0.34 for w in windows)


def test_windows_carry_the_title_of_their_chunks_document():
    hits = [SearchHit("c1", "readme", README, 0.9, {"title": "Harbor README"})]
    windows = select_evidence("Harbor supports HTTP/3.", hits, max_windows=2)
    assert windows and all(w.title == "Harbor README" for w in windows)
    assert windows[0].as_hit().metadata["title"] == "Harbor README"
    assert select_evidence("Harbor supports HTTP/3.", [_hit(README)])[0].title == ""


def test_nothing_in_common_is_no_evidence():
    hits = [SearchHit("c1", "readme", README, 0.9)]
    assert select_evidence("Zebras are striped.", hits, max_windows=2) == []


def test_duplicate_windows_from_overlapping_chunks_count_once():
    text = "Quicksort was developed by Tony Hoare in 1959."
    hits = [SearchHit("a", "s", text, 0.9), SearchHit("b", "s", text, 0.8)]
    windows = select_evidence("Tony Hoare developed quicksort.", hits, max_windows=3)
    assert len(windows) == 1 and windows[0].chunk_id == "a"


def test_no_hits_or_no_windows():
    assert select_evidence("claim", [], max_windows=3) == []
    assert select_evidence("claim", [SearchHit("a", "s", "text.", 1.0)], max_windows=0) == []
    assert select_evidence("claim", [SearchHit("a", "s", "   ", 1.0)]) == []


def test_a_wrapped_line_starting_with_a_number_is_not_a_list_item():
    # "in\n1945." is a sentence wrapped before its year, not "1945." opening a numbered list
    text = "Merge sort was invented by John von Neumann in\n1945. It needs O(n) memory.\n1. a list"
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    assert sentences == [
        "Merge sort was invented by John von Neumann in\n1945.",
        "It needs O(n) memory.",
        "1. a list",
    ]


def test_a_heading_is_its_own_span_and_never_evidence():
    chunk = "# Walking trial\n## Results\nOf 412 people, 371 finished the trial. Falls fell."
    spans = [chunk[a:b] for a, b in sentence_spans(chunk)]
    assert spans == ["# Walking trial", "## Results",
                     "Of 412 people, 371 finished the trial.", "Falls fell."]
    windows = select_evidence("The walking trial results: 371 finished.", [_hit(chunk)])
    assert windows and all("#" not in w.text for w in windows)
    # two sentences either side of a heading are no window
    chunk = "Walking helps. Falls fell.\n## Safety\nNo falls were serious."
    windows = select_evidence("Falls fell and no falls were serious.", [_hit(chunk)])
    assert [w.text for w in windows] == ["No falls were serious.", "Falls fell."]


def test_a_question_and_its_answer_are_one_sentence():
    chunk = ("Q: What is the capital of Australia? A: Canberra, not Sydney. It was chosen as a "
             "compromise. Q: Which lake is the largest in Africa? A: Lake Victoria.")
    spans = [chunk[a:b] for a, b in sentence_spans(chunk)]
    assert spans == ["Q: What is the capital of Australia? A: Canberra, not Sydney.",
                     "It was chosen as a compromise.",
                     "Q: Which lake is the largest in Africa? A: Lake Victoria."]
    windows = select_evidence("Lake Tanganyika is the largest lake in Africa.", [_hit(chunk)])
    assert windows[0].text == "Q: Which lake is the largest in Africa? A: Lake Victoria."


def test_a_list_item_after_a_full_stop_is_a_sentence_of_its_own():
    # chunks stored before list items kept their own line: "... 9:30 pm. - Each class ..."
    text = "Runs 6:30 pm to 9:30 pm. - Each class has 10 students. - It is not for children."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Runs 6:30 pm to 9:30 pm.", "- Each class has 10 students.", "- It is not for children."]  # fmt: skip
