"""The pure helpers of the transformers backend: grouping and turning token rows into text."""

from __future__ import annotations

from collections.abc import Sequence

from agents.llm._hf_decoding import finish, group_requests
from agents.llm.base import GenerationRequest

EOS, PAD = 0, 1
VOCAB = {2: "a", 3: "b", 4: "c", 5: "\n", 6: "END"}


def _decode(ids: Sequence[int]) -> str:
    return "".join(VOCAB.get(i, "") for i in ids)


def _finish(tokens: list[int], budget: int = 10, stop: tuple[str, ...] = (), pad: int = PAD):
    return finish(
        tokens,
        prompt_tokens=7,
        max_new_tokens=budget,
        stop=stop,
        eos_ids=frozenset({EOS}),
        pad_id=pad,
        decode=_decode,
    )


def test_eos_ends_the_row_and_is_counted() -> None:
    generation = _finish([2, 3, EOS, PAD, PAD])
    assert (generation.text, generation.completion_tokens) == ("ab", 3)
    assert generation.finish_reason == "stop" and generation.prompt_tokens == 7


def test_padding_after_a_stopped_row_is_not_counted() -> None:
    generation = _finish([2, 3, 4, PAD, PAD], stop=("c",))
    assert (generation.text, generation.completion_tokens, generation.finish_reason) == (
        "ab",
        3,
        "stop",
    )


def test_budget_cuts_the_row_with_length_reason() -> None:
    generation = _finish([2, 3, 4, 2, 3, 4], budget=4)
    assert (generation.text, generation.completion_tokens, generation.finish_reason) == (
        "abca",
        4,
        "length",
    )


def test_stop_string_spanning_tokens_counts_up_to_the_completing_token() -> None:
    generation = _finish([2, 5, 5, 3, 4, 4, 4], stop=("zz", "\n\n"))
    assert (generation.text, generation.completion_tokens, generation.finish_reason) == (
        "a",
        3,
        "stop",
    )


def test_earliest_of_several_stop_strings_wins() -> None:
    generation = _finish([2, 3, 4, 6, 2], stop=("END", "b"))
    assert generation.text == "a" and generation.completion_tokens == 2


def test_pad_equal_to_eos_is_handled() -> None:
    generation = _finish([2, EOS, EOS], pad=EOS)
    assert (generation.text, generation.completion_tokens) == ("a", 2)


def _r(**options: object) -> GenerationRequest:
    return GenerationRequest.chat("s", "u", **options)


def test_grouping_by_decoding_settings() -> None:
    requests = [
        _r(max_new_tokens=5),
        _r(temperature=0.7, seed=1),
        _r(max_new_tokens=50, seed=9),  # greedy: the seed does not matter
        _r(temperature=0.7, seed=2),
        _r(temperature=0.7),
        _r(stop=("\n",)),
        _r(temperature=0.9, seed=1),
    ]
    groups = group_requests(requests, max_batch_size=8)
    assert [g.indices for g in groups] == [(0, 2), (1, 3), (4,), (5,), (6,)]
    assert [g.do_sample for g in groups] == [False, True, True, False, True]
    assert groups[0].seed is None and groups[2].seed is None
    assert groups[1].seed is not None and groups[4].seed == 1
    assert groups[3].stop == ("\n",)


def test_grouping_respects_max_batch_size_and_seed_combination_is_stable() -> None:
    requests = [_r(temperature=1.0, seed=s) for s in range(5)]
    groups = group_requests(requests, max_batch_size=2)
    assert [g.indices for g in groups] == [(0, 1), (2, 3), (4,)]
    again = group_requests(requests, max_batch_size=2)
    assert [g.seed for g in groups] == [g.seed for g in again]
    assert len({g.seed for g in groups}) == 3
