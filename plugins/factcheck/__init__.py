"""Fact-checking against a knowledge base: claims, judges, the checker and its verifier."""

from plugins.factcheck.checker import FactChecker, FactCheckLimits
from plugins.factcheck.claims import Claim, extract_claims, extract_code_claims
from plugins.factcheck.errors import FactCheckError
from plugins.factcheck.judge import JUDGE_DESCRIPTIONS, JUDGE_NAMES, Judge, make_judge
from plugins.factcheck.types import ClaimCheck, FactCheckReport, Judgement
from plugins.factcheck.verifier import FactCheckVerifier

__all__ = [
    "JUDGE_DESCRIPTIONS",
    "JUDGE_NAMES",
    "Claim",
    "ClaimCheck",
    "FactCheckError",
    "FactCheckLimits",
    "FactCheckReport",
    "FactCheckVerifier",
    "FactChecker",
    "Judge",
    "Judgement",
    "extract_claims",
    "extract_code_claims",
    "make_judge",
]
