"""A selection result as a Verdict, for the job result's ``verdicts`` list."""

from __future__ import annotations

from plugins.selection._select import SelectionResult
from plugins.verdict import Finding, Verdict

_PLUGIN = "selection"


def selection_verdict(result: SelectionResult) -> Verdict:
    """``pass``: the chosen candidate runs and passes every docstring example; ``warn``: it runs
    but misses some (or there were none to check); ``fail``: no candidate even runs.
    ``score``: the share of examples the chosen candidate passes (None without examples)."""
    chosen = result.evidence[result.index]
    n = len(result.evidence)
    summary = f"chose candidate {result.index} of {n}"
    findings = [Finding("candidates", f"{sum(e.runs for e in result.evidence)} of {n} run")]
    if result.n_tests is not None:
        findings.append(
            Finding(
                "model_tests",
                f"chosen passes {chosen.tests_passed}/{result.n_tests} model-written tests "
                f"(group of {chosen.cluster_size}, dual score {chosen.dual_score})",
            )
        )
    if not chosen.runs:
        return Verdict(
            _PLUGIN, "fail", 0.0, f"{summary}; no candidate runs: {chosen.error}", tuple(findings)
        )
    if result.n_examples == 0:
        return Verdict(
            _PLUGIN, "warn", None, f"{summary}; the prompt states no examples", tuple(findings)
        )
    score = chosen.examples_passed / result.n_examples
    status = "pass" if chosen.examples_passed == result.n_examples else "warn"
    message = (
        f"{summary}; passes {chosen.examples_passed}/{result.n_examples} docstring "
        f"examples, output agreement {chosen.agreement:.2f}"
    )
    return Verdict(_PLUGIN, status, score, message, tuple(findings))
