"""User messages for each role; system prompts come from the experts."""

from __future__ import annotations

from collections.abc import Sequence

from plugins import Verdict

_MAX_FEEDBACK_CHARS = 2_000


def author_message(task: str) -> str:
    return f"Task:\n{task.strip()}\n"


def repair_message(task: str, code: str, verdicts: Sequence[Verdict]) -> str:
    problems = []
    for verdict in verdicts:
        if not verdict.blocking:
            continue
        problems.append(f"- {verdict.plugin}: {verdict.message}")
        for finding in verdict.findings[:5]:
            where = f" ({finding.location})" if finding.location else ""
            problems.append(f"  * {finding.kind}{where}: {finding.message}")
            if finding.evidence:
                problems.append("    " + finding.evidence.replace("\n", "\n    "))
    feedback = "\n".join(problems)[:_MAX_FEEDBACK_CHARS]
    return (
        f"Task:\n{task.strip()}\n\nYour previous solution:\n```python\n{code}```\n\n"
        f"It failed verification:\n{feedback}\n\n"
        "Fix the solution. Answer with a short explanation, then the complete corrected code "
        "in a single ```python code block."
    )


def review_message(task: str, code: str) -> str:
    return f"Task:\n{task.strip()}\n\nCode to review:\n```python\n{code}```\n"


def tester_message(task: str) -> str:
    return f"Task:\n{task.strip()}\n\nWrite the assert statements now."
