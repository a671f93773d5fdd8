"""Claim extraction: the checkable factual sentences of prose and of code answers.

Prose is split into sentences; questions, commands, code and fragments are dropped. A code
answer contributes its explanation text plus, for Python, its docstrings (``ast``) and comments
(``tokenize``); other languages contribute ``//``, ``#`` and ``/* */`` comments.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass

__all__ = ["Claim", "extract_claims", "extract_code_claims", "split_sentences"]


@dataclass(frozen=True, slots=True)
class Claim:
    text: str
    location: str | None = None


_FENCE = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)
_ABBREV = re.compile(
    r"\b(?:e\.g|i\.e|etc|vs|cf|Dr|Mr|Mrs|Ms|Prof|St|Jr|Sr|No|Fig|approx|U\.S|U\.K|Inc|Ltd)\.$",
    re.IGNORECASE,
)
_INITIAL = re.compile(r"\b[A-Z]\.$")
_ABBREV_TAIL = 12  # longer than any abbreviation above plus the character before it
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9`])")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)]|#+)\s+")
_CODE_LINE = re.compile(
    r"^\s*(?:def |class |import |from \S+ import |return\b|>>>|\$ |[A-Za-z_][\w.]*\s*\(.*\)\s*$|"
    r"[A-Za-z_][\w.\[\]]*\s*[+\-*/]?=\s*\S)"
)
_CODE_CHARS = re.compile(r"[{};]\s*$|==|!=|->|=>|\w+\(\)|::|\bself\.")
_IMPERATIVE = frozenset(
    [
        "use",
        "run",
        "install",
        "call",
        "make",
        "note",
        "see",
        "try",
        "let",
        "please",
        "consider",
        "remember",
        "add",
        "create",
        "import",
        "set",
        "check",
        "pass",
        "open",
        "close",
        "write",
        "read",
        "define",
        "replace",
        "change",
        "ensure",
        "avoid",
        "keep",
        "put",
        "move",
        "copy",
        "delete",
        "remove",
        "update",
        "configure",
        "click",
        "type",
        "enter",
        "save",
        "load",
        "start",
        "stop",
        "build",
        "test",
        "go",
        "do",
        "don't",
        "never",
        "always",
        "be",
        "refer",
        "look",
        "find",
        "choose",
        "pick",
        "select",
        "compare",
        "apply",
        "wrap",
        "implement",
        "return",
        "print",
        "iterate",
        "loop",
        "convert",
        "compute",
        "calculate",
        "get",
        "fetch",
        "parse",
        "generate",
        "validate",
        "sort",
        "count",
        "merge",
        "split",
        "join",
        "send",
        "handle",
        "process",
        "initialize",
        "initialise",
        "render",
    ]
)
_SECTION = re.compile(
    r"^\s*(?:Args|Arguments|Parameters|Returns|Return|Yields|Raises|Examples?|Notes?|See Also|"
    r"Attributes|Todo)\s*:?\s*$|^\s*[:@](?:param|type|return|rtype|raises)\b|^\s*-{3,}\s*$|^\s*>>>",
    re.IGNORECASE,
)
_SKIP_COMMENT = re.compile(
    r"^(?:!|-\*-|noqa|type:|pragma|pylint|fmt:|todo\b|fixme\b|xxx\b|hack\b|isort|mypy|ruff)",
    re.IGNORECASE,
)


def _looks_like_code(line: str) -> bool:
    return bool(_CODE_LINE.match(line)) or len(_CODE_CHARS.findall(line)) >= 2


def _blocks(text: str) -> list[str]:
    """Paragraphs and list items, with code-looking lines split off as blocks of their own."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n|\n(?=\s*(?:[-*+•]|\d+[.)]|#+)\s)", text):
        run: list[str] = []
        for line in para.splitlines():
            line = _BULLET.sub("", line).strip()
            if _looks_like_code(line):
                out.extend([" ".join(run), line] if run else [line])
                run = []
            elif line:
                run.append(line)
        if run:
            out.append(" ".join(run))
    return [re.sub(r"\s+", " ", b).strip() for b in out if b.strip()]


def _ends_with_abbreviation(piece: str) -> bool:
    """``piece`` ends with "e.g.", "Dr.", an initial "J." ...: no sentence ends there. Only the
    tail is searched (the patterns are anchored at the end and shorter than it), so a long run
    of such pieces costs linear time, not quadratic."""
    tail = piece[-_ABBREV_TAIL:]
    return bool(_ABBREV.search(tail) or _INITIAL.search(tail))


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences (newline-separated list items count as sentences)."""
    text = _FENCE.sub("\n", text)
    out: list[str] = []
    for block in _blocks(text):
        groups: list[list[str]] = []  # pieces glued back together after an abbreviation
        for piece in _BOUNDARY.split(block):
            if groups and _ends_with_abbreviation(groups[-1][-1]):
                groups[-1].append(piece)
            else:
                groups.append([piece])
        out.extend(s for s in (" ".join(g).strip() for g in groups) if s)
    return out


_OBJECT_STARTS = frozenset(
    "the a an your my our their its it this that these those each every all both two".split()
)
_THIRD_PERSON = re.compile(r"^[a-z]{2,}[^su'\s]s$")
_FINITE = frozenset(
    "is are was were has have had can cannot will would should may might must does do".split()
)


def _is_claim(sentence: str) -> bool:
    s = sentence.strip().strip("*_").strip()
    words = re.findall(r"[A-Za-z][A-Za-z'\-]*", s)
    if len(words) < 3 or s.endswith(("?", ":")):
        return False
    if _looks_like_code(s):
        return False
    symbols = sum(not (c.isalnum() or c.isspace() or c in ".,;:'\"()-%$/") for c in s)
    if symbols > 0.15 * len(s):
        return False
    first = words[0].lower()
    # "Merge sort is ...", "Merge sort needs ...": a finite verb after the first word (a
    # plural right after it is the object of an imperative: "Run tests with pytest.")
    declarative = (
        any(w.lower() in _FINITE for w in words[1:4])
        or (
            len(words) > 1
            and words[1].lower() not in _OBJECT_STARTS  # "Merge the two halves."
            and any(_THIRD_PERSON.match(w) for w in words[2:4])
        )
    )
    if first in _IMPERATIVE and not declarative and not re.match(r"^\w+(?:s|ed)\b", s):
        return False
    return not s.endswith("!")


_LEAD_IN = re.compile(
    r"^(?:note|remember|keep in mind|be aware|recall|notice)(?:,)? that\s+", re.IGNORECASE
)


def _clean(sentence: str) -> str:
    s = _LEAD_IN.sub("", sentence.strip())
    if re.match(r"[a-z]+ ", s):  # a plain word, not an identifier such as sorted() or heapq.x
        s = s[:1].upper() + s[1:]
    s = re.sub(r"`([^`]*)`", r"\1", s)
    s = re.sub(r"\*\*|__", "", s)
    return s.strip()


def extract_claims(text: str, *, location: str | None = None) -> list[Claim]:
    """The factual sentences of ``text``, in order, without duplicates."""
    seen: set[str] = set()
    claims: list[Claim] = []
    for sentence in split_sentences(text):
        sentence = _LEAD_IN.sub("", sentence.strip())
        if not _is_claim(sentence):
            continue
        cleaned = _clean(sentence)
        if cleaned and cleaned.lower() not in seen:
            seen.add(cleaned.lower())
            claims.append(Claim(cleaned, location))
    return claims


def _docstring_prose(doc: str) -> str:
    lines: list[str] = []
    for line in doc.splitlines():
        if _SECTION.match(line):
            break
        lines.append(line)
    return "\n".join(lines)


def _python_parts(code: str) -> list[tuple[str, str]]:
    parts: list[tuple[str, str]] = []
    try:
        tree = ast.parse(code)
    except SyntaxError:
        tree = None
    if tree is not None:
        nodes = [
            tree,
            *(
                n
                for n in ast.walk(tree)
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            ),
        ]
        for node in nodes:
            doc = ast.get_docstring(node)
            if doc:
                where = (
                    "module docstring"
                    if isinstance(node, ast.Module)
                    else f"docstring of {node.name} (line {node.lineno})"
                )
                parts.append((_docstring_prose(doc), where))
    comments: list[tuple[str, int]] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type == tokenize.COMMENT:
                comments.append((tok.string.lstrip("#").strip(), tok.start[0]))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        comments = [
            (m.group(1).strip(), code.count("\n", 0, m.start()) + 1)
            for m in re.finditer(r"#(.*)$", code, re.MULTILINE)
        ]
    parts.extend(_comment_runs(comments))
    return parts


def _comment_runs(comments: list[tuple[str, int]]) -> list[tuple[str, str]]:
    """Join comments on consecutive lines (one sentence often spans several)."""
    runs: list[tuple[str, str]] = []
    text, first, last = "", 0, -2
    for body, line in comments:
        if not body or _SKIP_COMMENT.match(body):
            continue
        if line == last + 1 and text:
            text, last = f"{text} {body}", line
        else:
            if text:
                runs.append((text, f"comment (line {first})"))
            text, first, last = body, line, line
    if text:
        runs.append((text, f"comment (line {first})"))
    return runs


def _other_parts(code: str) -> list[tuple[str, str]]:
    comments: list[tuple[str, int]] = []
    for m in re.finditer(
        r"/\*(.*?)\*/|(?<![:\"'])//([^\n]*)|^[ \t]*#(?!!|include|define)([^\n]*)",
        code,
        re.DOTALL | re.MULTILINE,
    ):
        body = next(g for g in m.groups() if g is not None)
        body = re.sub(r"^\s*\*+\s?", "", body, flags=re.MULTILINE)
        comments.append((" ".join(body.split()), code.count("\n", 0, m.start()) + 1))
    return _comment_runs(comments)


def extract_code_claims(
    code: str, *, explanation: str = "", language: str = "python"
) -> list[Claim]:
    """Claims of a code answer: its explanation, then docstrings and comments of ``code``."""
    claims = extract_claims(explanation, location="explanation") if explanation else []
    parts = _python_parts(code) if language == "python" else _other_parts(code)
    seen = {c.text.lower() for c in claims}
    for text, where in parts:
        for claim in extract_claims(text, location=where):
            if claim.text.lower() not in seen:
                seen.add(claim.text.lower())
                claims.append(claim)
    return claims
