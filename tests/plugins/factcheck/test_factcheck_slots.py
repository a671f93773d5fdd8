"""Slot conflicts: a claim's number or name against the same slot of an evidence sentence."""

from __future__ import annotations

import pytest

from plugins.factcheck.slots import (
    SLOT_CONFIDENCE,
    SUPPORT_CONFIDENCE,
    apply_slot_rules,
    confirm_by_evidence,
    find_slot_conflict,
    refute_slot_conflict,
)
from plugins.factcheck.types import Judgement

def _found(claim, evidence):
    """``(kind, claim value, evidence value)`` of the conflict found, or None."""
    conflict = find_slot_conflict(claim, evidence)
    return conflict and (conflict.kind, conflict.claim_value, conflict.evidence_value)


HARBOR = (
    "Harbor is a lightweight HTTP server written in Rust. Harbor listens on port 8080 by "
    "default. The maximum request body size is 10 MB."
)


@pytest.mark.parametrize(
    ("claim", "evidence", "kind", "values"),
    [
        ("Harbor listens on port 9090 by default.", HARBOR, "number", ("9090", "8080")),
        ("Harbor is written in Go.", HARBOR, "name", ("Go", "Rust")),
        (
            "Quicksort was developed by John von Neumann.",
            "Quicksort was developed by Tony Hoare in 1959.",
            "name",
            ("John von Neumann", "Tony Hoare"),
        ),
        (
            "Merge sort was invented in 1955.",
            "Merge sort is a sorting algorithm invented by John von Neumann in 1945.",
            "number",
            ("1955", "1945"),
        ),
        (
            "The request body size is 50 MB.",
            "The request body size is 10 MB.",
            "number",
            ("50", "10"),
        ),
        (  # "Ocean" is in both names: the word that tells them apart is not
            "The Amazon flows into the Pacific Ocean.",
            "The Amazon is about 6,400 km long and flows into the Atlantic Ocean.",
            "name",
            ("Pacific Ocean", "Atlantic Ocean"),
        ),
        (
            "Melancholia is a British film.",
            "Melancholia is a Danish film directed by Lars von Trier.",
            "origin",
            ("British", "Danish"),
        ),
        (  # a day and its month are one value: "12 May" elsewhere does not account for "12 June"
            "The Year 4 trip to Fenwick Castle is on Thursday 12 June.",
            "Ashcombe School, 12 May 2025: Year 4 will visit Fenwick Castle on Thursday 5 June.",
            "number",
            ("12 June", "5 June"),
        ),
        (  # either order, ordinals read as numbers, the month names the slot
            "Dan O'Bannon was born on September 20th, 1955.",
            "Daniel \"Dan\" O'Bannon ( September 30, 1946 -- December 17, 2009 ) was a writer.",
            "number",
            ("September 20", "September 30"),
        ),
        (  # a limit against a limit of the same kind and unit
            "Corvan Air lets pets weighing up to 10 kilograms into the cabin.",
            "Corvan Air allows pets in the cabin if they weigh no more than 8 kilograms.",
            "number",
            ("10", "8"),
        ),
        (  # a possessive is its word; a limit with no unit against the sentence's one limit
            "Stowaway's upload_concurrency can be set as high as 64.",
            "Stowaway: upload_concurrency defaults to 4 and may be at most 32.",
            "number",
            ("64", "32"),
        ),
        (  # the unit may be the second word after the number
            "The Nimbra H6 supports as many as 128 connected devices.",
            "Nimbra H6 router.\n- Up to 64 devices can be connected at the same time.",
            "number",
            ("128", "64"),
        ),
        (  # a claim that starts with its bound has no subject "Up"
            "Up to 12 students can join each bread class.",
            "Each bread class is limited to 10 students.",
            "number",
            ("12", "10"),
        ),
    ],
)
def test_a_changed_value_in_the_same_slot_conflicts(claim, evidence, kind, values):
    assert _found(claim, [evidence]) == (kind, *values)


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        # the same value, written differently
        ("Harbor listens on port 8,080.", "Harbor listens on port 8080 by default."),
        ("The Moon orbits the Earth every 27 days.", "The Moon orbits the Earth every 27.3 days."),
        ("Sky UK serves the UK.", "Sky UK serves the United Kingdom."),
        ("The Amazon flows into the Atlantic.", "The Amazon flows into the Atlantic Ocean."),
        ("Libya is a country in Europe.", "Libya is a country in the European continent."),
        # a bound or an estimate is not a value to compare
        ("Lyon had over 500,000 people in 2014.", "Lyon had 506,615 people in 2014."),
        # a different subject: the evidence says nothing about the claim's
        ("Python was first released in 1991.", "Harbor was first released in 2021."),
        # another slot: "in June 2015" is not "on June 2"
        ("Flaked premiered in June 2015.", "Flaked premiered on June 2, 2017."),
        # the same date, written another way
        ("The clinic opens on 4 September.", "The clinic will open on September 4th."),
        ("Vic Mensa was born on 6 June 1993.", "Vic Mensa ( born June 6, 1993 ) is a rapper."),
        # a name against a nationality is not a conflict of the same kind
        ("Melancholia was directed by a Danish director.", "It was directed by Lars von Trier."),
        ("The request body size is at most 50 MB.", "The request body size is 10 MB."),
        # a limit is compared only with a limit of the same direction and unit
        ("Pets weighing up to 10 kilograms may fly.", "Pets weighing at least 8 kilograms may fly."),
        ("Pets weighing up to 10 kilograms may fly.", "Pets up to 8 pounds may fly."),
        ("Pets weighing up to 10 kg may fly.", "Pets weighing up to 10 kg may fly in the cabin."),
        # nothing shared beyond the slot
        ("Bananas were first grown in 1800.", "Harbor was first released in 2021."),
        # no values at all
        ("Tuples are ordered.", "Tuples are immutable."),
    ],
)
def test_no_conflict(claim, evidence):
    assert find_slot_conflict(claim, [evidence]) is None


def test_each_sentence_of_a_window_is_read_and_names_are_checked_in_the_window():
    window = "Harbor was first released in 2021 by the Lighthouse team. It is written in Rust."
    conflict = find_slot_conflict("Harbor is written in Go.", [window])
    assert conflict is not None and conflict.sentence == "It is written in Rust."
    # a claim naming another product: its name is nowhere in the window
    assert find_slot_conflict("Beacon is written in Go.", [window]) is None


FESTIVAL = [
    "The opening film is The Salt Orchard, directed by Jonas Brek.",
    "The closing film is Night Ferry, directed by Ilse Varga.",
]


def test_a_name_the_evidence_gives_the_same_role_of_something_else_still_conflicts():
    conflict = find_slot_conflict("The Salt Orchard was directed by Ilse Varga.", FESTIVAL)
    assert conflict is not None
    assert (conflict.claim_value, conflict.evidence_value) == ("Ilse Varga", "Jonas Brek")
    assert find_slot_conflict("Night Ferry was directed by Ilse Varga.", FESTIVAL) is None


@pytest.mark.parametrize(
    "evidence",
    [
        # the name in another role: it may link the claim's parts (a multi-hop fact)
        FESTIVAL + ["Ilse Varga chairs the jury."],
        # the name in the same role and the claim's other name in the same sentence
        ["The Salt Orchard, directed by Jonas Brek and Ilse Varga, opens the festival."],
    ],
)
def test_a_name_the_evidence_accounts_for_does_not_conflict(evidence):
    # only the passive frame itself ("directed by" someone else) may still say otherwise
    conflict = find_slot_conflict("The Salt Orchard was directed by Ilse Varga.", evidence)
    assert conflict is None or conflict.kind == "agent"


def test_refute_overrides_a_judge_that_missed_the_conflict():
    supported = Judgement("SUPPORTED", 0.9, ({"SUPPORTED": 0.9, "REFUTED": 0.05,
                                              "NOT_ENOUGH_INFO": 0.05},))  # fmt: skip
    out = refute_slot_conflict("Harbor listens on port 9090.", [HARBOR], supported)
    assert out.label == "REFUTED"
    assert out.confidence == SLOT_CONFIDENCE["number"]
    assert out.evidence_scores == supported.evidence_scores
    assert out.reason is not None
    assert '"9090"' in out.reason and '"8080"' in out.reason and "(number)" in out.reason


def test_refute_leaves_judgements_without_a_conflict_alone():
    supported = Judgement("SUPPORTED", 0.9)
    assert refute_slot_conflict("Harbor listens on port 8080.", [HARBOR], supported) is supported
    assert supported.reason is None
    refuted = Judgement("REFUTED", 0.7)
    out = refute_slot_conflict("Harbor listens on port 9090.", [HARBOR], refuted)
    assert (out.label, out.confidence) == ("REFUTED", 0.7)  # the judge's verdict, explained
    assert out.reason is not None and '"9090"' in out.reason
    assert refute_slot_conflict("Harbor runs on Mars.", [HARBOR], refuted) is refuted


@pytest.mark.parametrize(
    ("claim", "evidence", "values"),
    [
        (
            "The heapq module implements a max-heap.",
            "The heapq module implements a min-heap.",
            ("max", "min"),
        ),
        ("Harbor is a heavyweight HTTP server.", HARBOR, ("heavyweight", "lightweight")),
        ("Tuples are mutable.", "In Python, tuples are immutable.", ("mutable", "immutable")),
        ("The token is optional.", "The API token is required.", ("optional", "required")),
        (  # "more" marks the degree of the word, a possessive names the ICU
            "The ICU's visiting rules are more relaxed than those of the general wards.",
            "The Intensive Care Unit (ICU) has stricter rules on visiting than the wards.",
            ("relaxed", "stricter"),
        ),
        (  # a phrasal verb of direction is its one word
            "The sky-quality meter reading went up between 21:00 and midnight.",
            "The sky-quality meter read 21.3 at 21:00 and dropped to 20.6 by midnight.",
            ("rose", "dropped"),
        ),
        (  # a consequence (", so ... not ...") is a clause of its own
            "The 2024 survey season was longer than the 2020 one.",
            "The 2024 survey had a shorter season than in 2020, so the figures are not comparable.",
            ("longer", "shorter"),
        ),
        (  # "brought forward" is one word
            "The viaduct work was postponed from September.",
            "The viaduct work had been brought forward from September.",
            ("postponed", "advanced"),
        ),
        (
            "The Kessany Instrument Works opened in 1931.",
            "Q: Did the Kessany Instrument Works survive? A: No, the company closed in 1931.",
            ("opened", "closed"),
        ),
        (
            "Night Ferry is the opening film of the festival.",
            "The closing film of the festival is Night Ferry.",
            ("opening", "closing"),
        ),
        # a negation in another clause of the sentence does not guard the opposite word
        (
            "Once the allowance is used up, the speed is increased.",
            "Once the allowance is used up, the speed is reduced; no extra charges apply.",
            ("increased", "reduced"),
        ),
        (
            "Mileage within the country is limited.",
            "Mileage is unlimited within the country; driving abroad is not permitted.",
            ("limited", "unlimited"),
        ),
        (  # nor does a denial in a second predicate of the same subject
            "ferrule needs Python 3.10 or older.",
            "ferrule requires Python 3.10 or newer and has no dependencies of its own.",
            ("older", "newer"),
        ),
        ("The lower Velmara often freezes.", "The lower Velmara rarely freezes.",
         ("often", "rarely")),
        ("Bins must be left at the front of the house.",
         "Bins must be left at the back of the house.", ("front", "back")),
        # a one-word everyday subject ("Staff") need not be named in the evidence
        ("Staff must submit expense claims after the fifth of each month.",
         "Submit your expense claims before the fifth of each month.", ("after", "before")),
        # a comparison that is not the same relation seen from its other side
        ("The survey counted more swifts than it expected.",
         "Four swifts were counted, fewer than the survey expected.", ("more", "fewer")),
    ],
)
def test_an_opposite_word_conflicts(claim, evidence, values):
    assert _found(claim, [evidence]) == ("antonym", *values)


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        # negated: "not unstable" agrees with "stable"
        ("Merge sort is not unstable.", "Merge sort is stable."),
        ("Quicksort is unstable.", "Quicksort is not a stable sort."),
        ("Quicksort is unstable.", "Quicksort is fast, but it is not stable."),
        # the sentence has both words: a contrast, not a conflict
        ("Tuples are mutable.", "Lists are mutable, while tuples are immutable."),
        # a word of a name is not an attribute
        ("West Virginia borders Maryland.", "It is bordered by Maryland to the east."),
        # too little of the claim is in the evidence
        ("The cache is private.", "The repository is public."),
        # the same relation stated from its other side
        ("The keynote is held before the workshop.",
         "The workshop starts an hour after the keynote."),
        ("The ferry leaves later than the train.",
         "The train leaves ten minutes earlier than the ferry."),
    ],
)
def test_no_antonym_conflict(claim, evidence):
    assert find_slot_conflict(claim, [evidence]) is None


def test_an_opposite_in_a_sentence_that_names_nothing_else_conflicts():
    """The window also names something else (the Trust), but the sentence with the opposite
    word names nothing, and the rest of the evidence names the claim's room."""
    window = (
        "Most of the pottery was lent by the Harwick Museum Trust. The room is kept dim, so the "
        "light level is lower than in the main hall."
    )
    claim = "Light levels in the Lister Reading Room are higher than in the main hall."
    conflict = find_slot_conflict(claim, [window, "The Lister Reading Room opened in 1990."])
    assert conflict is not None
    assert (conflict.claim_value, conflict.evidence_value) == ("higher", "lower")
    assert find_slot_conflict(claim, [window]) is None  # the room is named nowhere


@pytest.mark.parametrize(
    ("claim", "evidence", "values"),
    [
        (
            "The walking programme reduced the number of falls.",
            "The programme did not reduce the number of falls, and no serious adverse events "
            "were attributed to it.",
            ("reduce number", "not reduce number"),
        ),
        (
            "Serious adverse events were attributed to the programme.",
            "The programme did not reduce falls, and no serious adverse events were attributed "
            "to it.",
            ("serious adverse", "no serious adverse"),
        ),
        (
            "Diastolic pressure differed significantly between the groups.",
            "Diastolic pressure didn't differ significantly between the groups.",
            ("differ significantly", "n't differ significantly"),
        ),
        ("Quicksort is not a stable sort.", "Quicksort is a stable sort.",
         ("not stable sort", "stable sort")),
        # "never" denies every circumstance, the claim's condition included
        (
            "Python integers overflow when they exceed 64 bits.",
            "Python integers have arbitrary precision: they never overflow and grow as large "
            "as memory allows.",
            ("overflow", "never overflow"),
        ),
        # "yet" and the claim's own "not" say nothing of what is denied
        ("The Marlow ferry has not been repainted yet.", "The Marlow ferry was repainted in May.",
         ("not repainted", "repainted")),
        ("kelpie has not been tested on Windows.", "It is tested on Windows, macOS and Linux.",
         ("not tested Windows", "tested Windows")),
        # both deny something: the clause that asserts what the claim denies decides
        ("Night-shift nurses reported no more back pain than day staff.",
         "Night-shift nurses were more likely to report back pain, although the study could not "
         "say why.", ("no more back", "more back")),
        # a question's answer asserts; a denial stops at its condition ("when ...")
        ("The Ramblers' hikes are not cancelled when a storm warning is issued.",
         "Q: Are the Ramblers' hikes cancelled in rain? A: No, hikes go ahead in rain, but they "
         "are cancelled if a storm warning is issued.", ("not cancelled", "cancelled")),
        ("The agency does not recommend extending the pilot.",
         "Q: Will the pilot be extended? A: The agency recommends extending the pilot.",
         ("not recommend extending", "recommend extending")),
    ],
)
def test_a_denial_of_what_the_claim_asserts_conflicts(claim, evidence, values):
    assert _found(claim, [evidence]) == ("negation", *values)


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        # the denial is about something else of the sentence
        ("The programme reduced blood pressure.",
         "The programme reduced blood pressure but did not reduce the number of falls."),
        # both deny it
        ("Quicksort is not a stable sort.", "Quicksort is not stable."),
        ("Night-shift nurses reported no more back pain than day staff.",
         "Night-shift nurses did not report more back pain, and the study could not say why."),
        # a hedge, not a denial
        ("Merge sort is used for linked lists.", "Merge sort is not only used for linked lists."),
        # another subject
        ("Heapsort is not a stable sort.", "Quicksort is a stable sort."),
        # "not" denies one case only: a claim under another condition is not refuted
        ("Python integers overflow when they exceed 64 bits.",
         "Python integers do not overflow on ordinary arithmetic."),
        # the condition does not excuse another subject
        ("Floats overflow when they exceed 64 bits.",
         "Python integers never overflow and grow as large as memory allows."),
        # both deny: a clause about another subject does not assert what the claim denies
        ("There is no sensory room in Terminal B.",
         "Q: Is there a quiet room? A: Terminal A has a sensory room; Terminal B does not have one."),
    ],
)
def test_no_negation_conflict(claim, evidence):
    assert find_slot_conflict(claim, [evidence]) is None


LAKES = ("Q: Which lake is the largest in Africa by area? A: Lake Victoria, which is shared by "
         "Uganda, Kenya and Tanzania.")


@pytest.mark.parametrize(
    ("claim", "evidence", "values"),
    [
        ("Lake Tanganyika is the largest lake in Africa by area.", LAKES,
         ("Lake Tanganyika", "Lake Victoria")),
        ("Lake Tanganyika is the largest lake in Africa.", LAKES,  # "by area" left out
         ("Lake Tanganyika", "Lake Victoria")),
        ("Monaco is the smallest country in the world.",
         "Q: What is the smallest country in the world? A: Vatican City, about 0.44 km2.",
         ("Monaco", "Vatican City")),
        ("The river is 7,000 km long.", "Q: How long is the river? A: 6,400 km.",
         ("7,000", "6,400")),
        ("Greenland is an independent country.",
         "Q: Is Greenland an independent country? A: No.", ("yes", "no")),
    ],
)
def test_a_claim_that_gives_another_answer_conflicts(claim, evidence, values):
    assert _found(claim, [evidence]) == ("answer", *values)


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        ("Lake Victoria is the largest lake in Africa.", LAKES),  # the answer
        ("Lake Victoria is the main source of the White Nile.", LAKES),  # another question
        ("Lake Tanganyika is the deepest lake in Africa.",  # another question, too
         "Q: Which lake is the largest in Africa? A: Lake Victoria."),
        ("Lake Tanganyika is the largest lake in Europe.", LAKES),  # two of three words
        ("Mount Kenya is the highest mountain in Kenya.",
         "Q: What is the highest mountain in Africa? A: Kilimanjaro."),
        ("Greenland is not an independent country.",
         "Q: Is Greenland an independent country? A: No."),
        ("Greenland is an independent country.",
         "Q: Is Greenland an independent country? A: It is debated."),
        # "No answer could be found" names no answer either
        ("Senator Whitcombe supports the state carbon tax.",
         "Q: What is Whitcombe's position on the state carbon tax? A: No answer could be found."),
        # "No answer could be found" is no "No"
        ("Cycling on Marsh Street has increased since the lanes opened.",
         "Q: Has cycling on Marsh Street increased since the lanes opened? "
         "A: No answer could be found."),
        # a sentence-long answer does not name the answer: "Most" is not who paid
        ("The Marsh Street bike lanes were paid for mainly with state money.",
         "Q: Who paid for the bike lanes? A: Most of the money came from a state transport "
         "grant; the city paid the rest."),
        # a contrasted tail ("..., not because of the dam") does not make the claim a "no"
        ("Two villages were evacuated because of river flooding, not because of the dam.",
         "Q: Were villages near the dam evacuated? A: Yes."),
        # a claim about a claim: its embedded words are not asserted
        ("The video said to show the dam collapsing was filmed abroad in 2017.",
         "Q: Does the viral video show the dam collapsing? A: No. It was filmed abroad in 2017."),
    ],
)
def test_no_answer_conflict(claim, evidence):
    assert find_slot_conflict(claim, [evidence]) is None


TAXES = ("Q: Has Senator Dana Whitcombe ever voted for a tax increase? A: No. Her voting record "
         "shows no such vote.")
CRIME = "Q: Did violent crime in Brackwater increase in 2023? A: No. It fell by 3 percent."


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        ("Senator Dana Whitcombe has never voted for a tax increase.", TAXES),
        ("Violent crime in Brackwater did not increase in 2023.", CRIME),
        ("Greenland is an independent country.", "Q: Is Greenland an independent country? A: Yes."),
    ],
)
def test_a_yes_no_answer_to_the_claims_own_question_supports_it(claim, evidence):
    refuted = Judgement("REFUTED", 0.9, ())
    out = confirm_by_evidence(claim, [evidence], refuted)
    assert (out.label, out.confidence) == ("SUPPORTED", SUPPORT_CONFIDENCE["answer"])
    assert "own question" in out.reason


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        ("Violent crime in Brackwater increased in 2023.", CRIME),  # the answer denies it
        # the claim says more than the question asks
        ("Violent crime in Brackwater did not increase in 2023 despite fewer police.", CRIME),
        ("Senator Dana Whitcombe has never voted for a tax increase.",  # no bare Yes or No
         "Q: Has Senator Dana Whitcombe ever voted for a tax increase? A: No answer could be found."),
    ],
)
def test_no_yes_no_support(claim, evidence):
    judged = Judgement("NOT_ENOUGH_INFO", 0.6, ())
    assert confirm_by_evidence(claim, [evidence], judged) is judged


def test_the_rules_refute_before_an_answer_can_support():
    judged = Judgement("SUPPORTED", 0.7, ())
    out = apply_slot_rules("Violent crime in Brackwater increased in 2023.", [CRIME], judged)
    assert (out.label, out.confidence) == ("REFUTED", SLOT_CONFIDENCE["answer"])
    kept = Judgement("REFUTED", 0.8, (), "a rule's reason")
    assert confirm_by_evidence("Violent crime in Brackwater did not increase in 2023.",
                                 [CRIME], kept) is kept


HEAPQ = ("Python integers never overflow. The heapq module implements a min-heap: the smallest "
         "item is always at index 0.")


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        ("The heapq module implements a min-heap.", HEAPQ),
        ("Violent crime did not increase in 2023.", "Violent crime did not increase in 2023."),
        ("Python was first released in 1991.",
         "Created by Guido van Rossum, Python was first released in 1991."),
        ("the smallest item is always at index 0", HEAPQ),
    ],
)
def test_a_claim_stated_word_for_word_is_supported(claim, evidence):
    out = confirm_by_evidence(claim, [evidence], Judgement("REFUTED", 0.6, ()))
    assert (out.label, out.confidence) == ("SUPPORTED", SUPPORT_CONFIDENCE["stated"])
    assert "word for word" in out.reason


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        ("The heapq module implements a max-heap.", HEAPQ),  # another word
        ("The heapq module implements a min-heap.",
         "It is a myth that the heapq module implements a min-heap."),
        ("The heapq module implements a min-heap.",
         "Critics claim the heapq module implements a min-heap."),
        ("The heapq module implements a min-heap.",
         "Many people think the heapq module implements a min-heap."),  # not a clause start
        ("The heapq module implements a min-heap.",
         "The heapq module implements a min-heap only if asked."),  # the clause goes on
        ("The heapq module implements a min-heap.",
         "The heapq module implements a min-heap, it is said."),
    ],
)
def test_no_word_for_word_support(claim, evidence):
    judged = Judgement("REFUTED", 0.6, ())
    assert confirm_by_evidence(claim, [evidence], judged) is judged


GRAPHS = ("Breadth-first search visits vertices in order of their distance from the start and "
          "uses a queue. Depth-first search uses a stack.")


@pytest.mark.parametrize(
    ("claim", "values"),
    [
        ("Breadth-first search uses a stack.", ("stack", "queue")),
        ("Depth-first search uses a queue.", ("queue", "stack")),
    ],
)
def test_a_filler_taken_from_a_neighbouring_fact_conflicts(claim, values):
    assert _found(claim, [GRAPHS]) == ("swap", *values)


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        ("Breadth-first search uses a queue.", GRAPHS),
        ("Depth-first search uses a stack.", GRAPHS),
        # another subject with the property says nothing of the claim's subject
        ("Tuples are immutable.", "Lists are mutable. Strings are immutable."),
        # the claim's word is nowhere else in the evidence: a synonym, not a swapped fact
        ("Civilization IV is a strategy video game.", "Civilization IV is a strategy computer game."),
        # a verb's slot: "kept" is a synonym here, though debug logs are "kept" elsewhere
        ("Audit logs are kept for 7 years.",
         "Audit logs are retained for 7 years. Debug logs are kept for 14 days."),
        # a negation on either side is the negation rule's business
        ("Depth-first search does not use a queue.", GRAPHS),
    ],
)
def test_no_swap_conflict(claim, evidence):
    conflict = find_slot_conflict(claim, [evidence])
    assert conflict is None or conflict.kind != "swap"


def test_nothing_is_a_denial_too():
    # "had nothing to do with the dam" denies what the claim's "not because of the dam" denies
    evidence = ("Two villages were evacuated because the river burst its banks; the agency said "
                "the evacuation had nothing to do with the dam.")
    claim = "Two villages were evacuated because of river flooding, not because of the dam."
    assert find_slot_conflict(claim, [evidence]) is None


def test_a_number_of_the_same_unit_in_other_words_conflicts():
    evidence = ["Altogether 42,600 people were invited and 27,300 returned a kit."]
    conflict = find_slot_conflict("In total 46,200 people were invited.", evidence)
    assert conflict is not None
    assert (conflict.claim_value, conflict.evidence_value) == ("46,200", "42,600")
    # the unit written the other way round: "a £150 deposit" / "a deposit of £100"
    evidence = ["A deposit of £100 secures a place on the course."]
    conflict = find_slot_conflict("A £150 deposit secures a place on the course.", evidence)
    assert conflict is not None
    assert (conflict.claim_value, conflict.evidence_value) == ("150", "100")


@pytest.mark.parametrize(
    ("claim", "line", "conflict"),
    [
        ("Lab reports count for 40% of the grade.", "- Lab reports: 30% (four reports)", "30%"),
        ("The deposit is £150.", "Deposit: £100, due on booking.", "100"),
        # the label is not what the claim speaks of, or the value is of another kind
        ("The exam counts for 40% of the grade.", "- Lab reports: 30% (four reports)", None),
        ("Lab reports are due 7 days after the lab.", "- Lab reports: 30% (four reports)", None),
        # a sentence with a colon is no form's line
        ("The 100 follows 5 teens.", "The series follows a group of teens: 12 of them.", None),
    ],
)
def test_a_forms_label_names_the_slot_of_its_value(claim, line, conflict):
    found = find_slot_conflict(claim, [line])
    assert (found.evidence_value if found else None) == conflict


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        # two numbers of that unit: which one the claim means is not clear
        ("In total 46,200 people were invited.", "Of 42,600 people invited, 27,300 people replied."),
        # no unit word after the number ("1970's" / "1960s" is a letter, "PDO" a name)
        ("In 1905, PDO switched to a warm phase.", "1924/1925: PDO changed to a warm phase."),
        # two numbers of that unit the other way round
        ("A £150 deposit secures a place.", "A deposit of £100 or a deposit of £80 secures a place."),
    ],
)
def test_no_conflict_without_one_number_of_the_same_unit(claim, evidence):
    assert find_slot_conflict(claim, [evidence]) is None


ZOO = [
    "Greyhollow Zoo has kept gliders since 2016. Our keeper team is led by Ravi Sandhu, and the "
    "breeding programme is coordinated by Dr Helen Marsh."
]


@pytest.mark.parametrize(
    ("claim", "evidence", "values"),
    [
        (
            "Ravi Sandhu coordinates Greyhollow's breeding programme.",
            ZOO,
            ("Ravi Sandhu", "Dr Helen Marsh"),
        ),
        (
            "Tomasz Reiner is the head tutor.",
            ["Our head tutor, Chef Odile Marsaud, trained in Lyon.",
             "Pastry is taught by her deputy, Tomasz Reiner."],
            ("Tomasz Reiner", "Chef Odile Marsaud"),
        ),
        (  # a reflexive pronoun speaks of the clause's own person, not of someone else
            "Ines Brandt is the head gardener.",
            ["Our head gardener, Karl Lund, prunes every rose himself.",
             "The vegetable beds are run by Ines Brandt."],
            ("Ines Brandt", "Karl Lund"),
        ),
        (  # a form's label names the role, the window the rest of it
            "Marek Doyle is the renter named on agreement GL-40817.",
            [
                "Only the named renter and one additional driver, Marek Doyle, may drive the car.",
                "Agreement number GL-40817. Renter: Paulina Ostrova.",
            ],
            ("Marek Doyle", "Paulina Ostrova"),
        ),
    ],
)
def test_a_person_put_in_another_persons_role_conflicts(claim, evidence, values):
    assert _found(claim, evidence) == ("subject", *values)


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        ("Dr Helen Marsh coordinates Greyhollow's breeding programme.", ZOO),  # the right one
        ("Ravi Sandhu does not coordinate Greyhollow's breeding programme.", ZOO),  # negated
        # the claim's person is nowhere in the evidence: it may be the role's holder by
        # another name, or spoken of by pronoun
        ("Tomasz Reiner is the head tutor.", ["Our head tutor, Chef Odile Marsaud, trained here."]),
        # a kind, not a definite role
        ("Sabbir Khan directed a film starring an Indian actress.",
         ["Sabbir Khan directed Heropanti.", "Kriti Sanon is an Indian film actress."]),
        # the role's clause speaks of someone by pronoun
        ("Ravi Sandhu leads the keeper team.",
         ["Ravi Sandhu joined in 2016. She leads the keeper team with Dr Helen Marsh."]),
        # a place is no person to fill the role ("Brennock River")
        ("Dr Maren Oyelaran led the 2020 otter survey.",
         ["Brennock River Otter Survey.\n- Otter signs were found at 41 sites, up from 33 in the "
          "2020 survey.", "Dr Maren Oyelaran joined in 2019."]),
        # a form's label, but the rest of the claim's role is not in the window
        ("Marek Doyle is the renter named on agreement GL-40817.",
         ["Marek Doyle drives.", "Renter: Paulina Ostrova. The car is blue."]),
    ],
)
def test_no_subject_swap(claim, evidence):
    assert find_slot_conflict(claim, evidence) is None


@pytest.mark.parametrize(
    ("claim", "evidence", "values"),
    [
        (
            "The Ridgeline Ramblers were founded by Piet Anvers.",
            ["The Ridgeline Ramblers hiking club was founded in 1987 by Tomas Reyd and has 142 "
             "members. Our chair, Greta Olsund, took over from Piet Anvers in January."],
            ("Piet Anvers", "Tomas Reyd"),
        ),
        (  # the subject by pronoun, the agent with a title
            "The Harbourlight Film Festival was founded by Aurelio Santi.",
            ["The Harbourlight Film Festival runs in October. It was founded in 2009 by the "
             "film critic Mara Quillon.", "The retrospective honours Aurelio Santi."],
            ("Aurelio Santi", "Mara Quillon"),
        ),
        (  # an irregular participle
            "The 2019 expedition was led by Maria Lopez.",
            ["The 2019 expedition was led by the geologist Tomas Berg."],
            ("Maria Lopez", "Tomas Berg"),
        ),
        (  # the agent named elsewhere, in another role
            "The Salt Orchard was directed by Ilse Varga.",
            FESTIVAL + ["Ilse Varga chairs the jury."],
            ("Ilse Varga", "Jonas Brek"),
        ),
        (  # the subject's other words elsewhere in the evidence
            "The TX-7 study was funded by Sunmere University.",
            ["TX-7 was made in collaboration with Sunmere University.",
             "The study was funded by the Veloria Science Fund."],
            ("Sunmere University", "Veloria Science Fund"),
        ),
    ],
)
def test_another_agent_of_the_same_passive_verb_conflicts(claim, evidence, values):
    assert _found(claim, evidence) == ("agent", *values)


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        # the same agent, with a title between
        ("Quicksort was developed by Tony Hoare.",
         ["Quicksort was developed by British computer scientist Tony Hoare in 1959."]),
        # both agents named: "founded by A and B"
        ("The club was founded by Piet Anvers.",
         ["The club was founded by Tomas Reyd and Piet Anvers."]),
        # another subject: the sequel, not the film
        ("The sequel was directed by Ann Lee.",
         ["The film was directed by Bob Stone. Its sequel was directed by Ann Lee."]),
        ("The film was directed by Ann Lee.", ["The sequel was directed by Bob Stone."]),
        # a description, not a name
        ("Jackie was directed by a Chilean filmmaker.", ["Jackie was directed by Pablo Larrain."]),
        ("Cars 3 will be directed by Pixar employee Brian Fee.",
         ["Cars 3 is being directed by Brian Fee, a storyboard artist."]),
        # negated evidence
        ("The club was founded by Piet Anvers.", ["The club was not founded by Tomas Reyd."]),
    ],
)
def test_no_agent_swap(claim, evidence):
    conflict = find_slot_conflict(claim, evidence)
    assert conflict is None or conflict.kind != "agent"


def test_a_role_window_that_names_only_people_may_leave_the_body_to_the_rest_of_the_evidence():
    claim = "Rahul Menon is the chief executive of the Brightwater Trust."
    window = (
        "Grace Adeyemi has been chief executive since 2021. The board of trustees is chaired "
        "by Rahul Menon."
    )
    trust = "The Brightwater Trust was founded in 1998 by Eleanor Fairweather."
    conflict = find_slot_conflict(claim, [window, trust])
    assert conflict is not None and conflict.kind == "subject"
    assert conflict.evidence_value == "Grace Adeyemi"
    # a window naming another body speaks of that body's chief executive
    other = window.replace("chief executive", "chief executive of Harrow Wells")
    assert find_slot_conflict(claim, [other, trust]) is None
    # the claim's body nowhere in the evidence
    assert find_slot_conflict(claim, [window]) is None


G15 = (
    "Chile, Iran and Kenya have since joined the Group of 15, whereas Yugoslavia is no longer "
    "part of the group."
)


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        # "supplies" / "supply": one word
        ("The Teller Gorge dam supplies drinking water.",
         "The Teller Gorge dam was completed in 1964; it generates power but does not supply "
         "drinking water."),
        # "no longer" denies what follows it
        ("Quillsort 3.0.0 still depends on the sixer package.",
         "Quillsort no longer depends on the sixer package and has no runtime dependencies."),
        ("Yugoslavia is part of the Group of 15.", G15),
    ],
)
def test_a_denial_in_other_forms_conflicts(claim, evidence):
    conflict = find_slot_conflict(claim, [evidence])
    assert conflict is not None and conflict.kind == "negation"


@pytest.mark.parametrize(
    "claim",
    [
        "Yugoslavia was part of the Group of 15.",  # "no longer" says it once was
        "Kenya is a part of the Group of 15.",  # "no longer" is of another subject
    ],
)
def test_no_longer_denies_only_the_present_of_its_own_subject(claim):
    assert find_slot_conflict(claim, [G15]) is None


def test_a_denial_whose_window_goes_on_about_the_claims_names_conflicts():
    trust = "The Brightwater Trust was founded in 1998 by Eleanor Fairweather."
    claim = "The Brightwater Trust opened new offices in 2023."
    # "the Trust", "any": the window names part of the claim's name, the rest names it all
    conflict = find_slot_conflict(claim, ["The Trust did not open any new offices in 2023.", trust])
    assert conflict is not None and conflict.kind == "negation"
    # a window that names another trust, or evidence that never names the claim's
    assert find_slot_conflict(
        claim, ["The Harrow Trust did not open any new offices in 2023.", trust]
    ) is None
    assert find_slot_conflict(claim, ["The Trust did not open any new offices in 2023."]) is None
    # a window whose sentence has another subject speaks of that subject
    sorts = ["Merge sort is a stable sorting algorithm invented by John von Neumann.",
             "Quicksort is not a stable sort."]  # fmt: skip
    assert find_slot_conflict("Merge sort is a stable sorting algorithm.", sorts) is None


def test_yet_to_and_failed_to_are_denials():
    ferry = "The new ferry, the Marta Lind, failed its sea trials and has yet to enter service."
    conflict = find_slot_conflict("The Marta Lind has entered service.", [ferry])
    assert conflict is not None and conflict.evidence_value == "yet to enter service"
    # a negated claim agrees with it: no conflict either way
    assert find_slot_conflict("The Marta Lind has not entered service.", [ferry]) is None


@pytest.mark.parametrize(
    ("claim", "evidence", "values"),
    [
        ("The night shift is supervised by Arne Vik rather than Lise Haug.",
         "Lise Haug supervises the night shift at the depot.",
         ("Arne Vik", "Lise Haug")),
        ("The 2025 trophy was won by Corby Town instead of Ashfield Rovers.",
         "Ashfield Rovers won the 2025 trophy after a penalty shoot-out.",
         ("Corby Town", "Ashfield Rovers")),
    ],
)
def test_a_claim_that_rules_out_what_the_evidence_says_conflicts(claim, evidence, values):
    assert _found(claim, [evidence]) == ("contrast", *values)


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        # the window also says what the claim picks
        ("Arne Vik now supervises the night shift rather than Lise Haug.",
         "Lise Haug handed over the night shift in May. Arne Vik now supervises the night shift."),
        # the sentence naming the ruled-out name is negated
        ("The night shift is supervised by Arne Vik rather than Lise Haug.",
         "Lise Haug no longer supervises the night shift."),
        # the rest of the claim is not in the window: another matter
        ("The night shift is supervised by Arne Vik rather than Lise Haug.",
         "Lise Haug joined the company in 2019."),
    ],
)
def test_no_contrast_conflict(claim, evidence):
    assert find_slot_conflict(claim, [evidence]) is None


def test_a_documents_title_names_what_its_window_speaks_of():
    claim = "The Nimbra H6 listens on port 9090."
    window = "The router listens on port 8080 by default."
    judged = Judgement("SUPPORTED", 0.7, ())
    assert apply_slot_rules(claim, [window], judged) == judged  # which router? not said
    titled = apply_slot_rules(claim, [window], judged, titles=["Nimbra H6 router: datasheet"])
    assert titled.label == "REFUTED" and '"9090"' in titled.reason
    assert apply_slot_rules(claim, [window], judged, titles=[None]) == judged
    assert apply_slot_rules(claim, [window], judged, titles=["Kestrel K2 router"]) == judged
    # a title asserts nothing: "... bird count, 2024" does not say the gulls were counted
    gulls = "Gulls were not counted in the Marren bird count."
    title = ["Marren estuary winter bird count, 2024"]
    assert find_slot_conflict(gulls, ["Gulls are noisy birds."], title) is None


def test_a_short_verb_is_its_stem_for_the_role_rule():
    claim = "Corinna Stadd runs the Membership Desk that handles account questions."
    evidence = [
        "- Questions about accounts go to the Membership Desk, run by Priya Okonkwo-Lund.",
        "- Complaints should be sent in writing to the Head of Libraries, Corinna Stadd.",
    ]
    assert _found(claim, evidence) == ("subject", "Corinna Stadd", "Priya Okonkwo-Lund")


def test_not_yet_in_the_evidence_agrees_with_a_denying_claim():
    evidence = "Ostley District Council has not yet decided whether to fund new ceilings."
    assert _found("Ostley District Council hasn't decided yet whether to fund new ceilings.",
                  [evidence]) is None  # fmt: skip


@pytest.mark.parametrize(
    ("claim", "evidence", "values"),
    [
        ("Shared tools have to be signed out with Hal Breuner, the site secretary.",
         ["The site secretary is Hal Breuner; the tools officer is Saoirse Quinlan.",
          "Shared tools are kept by the main gate and must be signed out with Saoirse."],
         ("Hal Breuner", "Saoirse")),
        ("Tansy's plugin registry is run by the Hollin Collective.",
         ["Tansy is now maintained by the Hollin Collective, with the plugin registry run "
          "separately by Marrowbit Ltd."],
         ("Hollin Collective", "Marrowbit Ltd")),
    ],
)  # fmt: skip
def test_another_name_in_the_claims_name_slot_conflicts(claim, evidence, values):
    assert _found(claim, evidence) == ("slot", *values)


@pytest.mark.parametrize(
    ("claim", "evidence"),
    [
        # the claim's name is nowhere else in the evidence (the name rule's case, not this one)
        ("Shared tools must be signed out with Hal Breuner.",
         ["Shared tools are kept by the gate and must be signed out with Saoirse."]),
        # the sentence names the claim's name too, in the same clause
        ("Tools must be signed out with Hal Breuner.",
         ["Tools must be signed out with Saoirse or with Hal Breuner."]),
        # too little of the claim in the sentence
        ("Hal Breuner, the secretary, collects the rent from Saoirse.",
         ["Rent is paid to Saoirse by Hal Breuner in March."]),
    ],
)  # fmt: skip
def test_no_name_slot_conflict(claim, evidence):
    found = _found(claim, evidence)
    assert found is None or found[0] != "slot"


def test_denied_verbs_with_one_meaning_and_a_gerund_before_the_subject():
    lunches = "Lunches will not be provided by the school kitchen on the day."
    assert _found("The school kitchen will supply lunches on the day.", [lunches])[0] == "negation"
    velocar = "Velocar relieves migraine pain. It does not prevent migraine attacks."
    assert _found("Taking Velocar will prevent migraine attacks.", [velocar])[0] == "negation"


@pytest.mark.parametrize(
    ("claim", "evidence", "values"),
    [
        ("The first build is quicker than later builds.",
         "The first build is slower than later builds.", ("quicker", "slower")),
        ("Reviewers called rugs among the most expensive fixes.",
         "Reviewers called rugs among the cheapest fixes.", ("expensive", "cheapest")),
        ("Pupils in noisy rooms made more progress in reading.",
         "Pupils in noisy rooms made less progress in reading.", ("more", "less")),
        ("The operation was on her left hind leg.",
         "The operation was on her right hind leg.", ("left", "right")),
    ],
)  # fmt: skip
def test_degrees_of_opposite_adjectives_conflict(claim, evidence, values):
    assert _found(claim, [evidence]) == ("antonym", *values)


def test_degree_spelling():
    from plugins.factcheck.slots import _degree

    assert [_degree(w, "er") for w in ("big", "easy", "late", "quick", "slow")] == [
        "bigger", "easier", "later", "quicker", "slower"]  # fmt: skip


def test_a_contrasted_tail_does_not_negate_the_role_sentence():
    claim = "Priya Okafor is the person to whom security issues should be reported."
    evidence = [
        "Security issues should be reported privately to Jonas Lind, not on the issue tracker.",
        "fetchwell is maintained by Priya Okafor and Jonas Lind.",
    ]
    assert _found(claim, evidence) == ("subject", "Priya Okafor", "Jonas Lind")


@pytest.mark.parametrize(
    "claim",
    ["Dr Helen Marsh was the first to describe the amberfoot glider.",
     "Dr Helen Marsh described the amberfoot glider."],
)  # fmt: skip
def test_an_active_claim_meets_the_passive_agent(claim):
    evidence = [
        "The breeding programme is coordinated by Dr Helen Marsh.",
        "The amberfoot glider is a small marsupial. It was first described by the naturalist "
        "Ines Calloway in 1931.",
    ]
    assert _found(claim, evidence) == ("agent", "Dr Helen Marsh", "Ines Calloway")
    right = claim.replace("Dr Helen Marsh", "Ines Calloway")
    assert _found(right, evidence) is None
