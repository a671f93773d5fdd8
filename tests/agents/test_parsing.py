from agents.parsing import is_lgtm, parses, split_code


def test_fenced_python_block_and_explanation():
    code, explanation = split_code("Use a heap.\n```python\nx = 1\n```\nDone.")
    assert code == "x = 1\n"
    assert explanation == "Use a heap.\n\nDone."


def test_largest_python_block_wins_over_other_languages():
    text = "```bash\nls -la /tmp/very/long/path\n```\n```python\ny = 2\nz = 3\n```"
    assert split_code(text)[0] == "y = 2\nz = 3\n"


def test_unfenced_code_is_taken_when_it_parses():
    assert split_code("def f():\n    return 1")[0] == "def f():\n    return 1\n"
    assert split_code("this is prose, not code") == ("", "this is prose, not code")


def test_unterminated_fence_still_yields_code():
    assert split_code("```python\nprint(1)\n")[0] == "print(1)\n"


def test_lgtm_and_parses():
    assert is_lgtm("LGTM, complexity is O(n log n).")
    assert not is_lgtm("LGTM but\n```python\nx=1\n```")
    assert parses("x = 1") and not parses("def (") and not parses("  ")
