"""The plan parser: blocks, line numbers, sections and phrase groups."""

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archbench.graders.plan import parse_plan, phrases_regex, starting_with

GOLD_DIR = Path(__file__).resolve().parents[2] / "gold"

PLAN = """# Plan

Intro paragraph
over two lines.

## Models

- **AlertReceipt** model
  - `alert`: FK
  - `read_at`: DateTimeField

  ```python
  class AlertReceipt(models.Model):
      pass
  ```

| field | type |
|---|---|
| user | ForeignKey |

> quoted note

### Indexes
Index on (user, read_at).
"""


def kinds(plan):
    return [(block.kind, block.start_line) for block in plan.blocks]


def test_blocks_have_kinds_and_one_based_lines():
    plan = parse_plan(PLAN)
    assert kinds(plan) == [
        ("heading", 1),
        ("paragraph", 3),
        ("heading", 6),
        ("list_item", 8),
        ("list_item", 9),
        ("list_item", 10),
        ("code", 12),
        ("table_row", 17),
        ("table_row", 19),
        ("paragraph", 21),
        ("heading", 23),
        ("paragraph", 24),
    ]
    assert plan.line(3) == "Intro paragraph"


def test_list_item_text_includes_sub_items_and_code():
    item = parse_plan(PLAN).blocks[3]
    assert item.end_line == 15
    assert "`alert`: FK" in item.text and "class AlertReceipt" in item.text


def test_code_block_language_and_body_line():
    code = parse_plan(PLAN).code_blocks[0]
    assert code.lang == "python"
    assert code.body_start_line == 13
    assert code.text.startswith("class AlertReceipt")


def test_table_rows_carry_cells_and_header():
    row = parse_plan(PLAN).blocks[8]
    assert row.cells == ("user", "ForeignKey")
    assert row.header == ("field", "type")


def test_sections_are_heading_plus_direct_body():
    plan = parse_plan(PLAN)
    indexes = plan.sections[-1]
    assert (indexes.kind, indexes.start_line) == ("section", 23)
    assert indexes.section == ("Plan", "Models", "Indexes")
    assert plan.blocks[-1].section == ("Plan", "Models", "Indexes")
    assert plan.heading_span(plan.headings[1]) == (6, len(plan.lines))


@pytest.mark.parametrize(
    "groups, line",
    [
        pytest.param([["index"], ["read_at", "read at"]], 24, id="both-groups-one-paragraph"),
        pytest.param([["on commit"]], None, id="absent-phrase"),
        pytest.param([["intro"], ["lines"]], 3, id="paragraph-spanning-lines-evidence-is-first-hit"),
        pytest.param([["alert"], ["DateTimeField"]], 9, id="list-item-with-sub-items"),
        pytest.param([["intro"], ["alert"]], None, id="different-blocks-do-not-combine"),
    ],
)
def test_find_phrases_needs_every_group_in_one_block(groups, line):
    match = parse_plan(PLAN).find_phrases(groups)
    assert (match.line if match else None) == line


@pytest.mark.parametrize(
    "phrase, text, hit",
    [
        pytest.param("on_commit", "use transaction.on commit here", True, id="underscore-equals-space"),
        pytest.param("on commit", "on-commit hook", True, id="space-equals-hyphen"),
        pytest.param("retry", "retrying", False, id="word-boundary"),
        pytest.param("Celery Beat", "celery beat", True, id="case-insensitive"),
        pytest.param("404", "returns 404.", True, id="number"),
    ],
)
def test_phrase_matching(phrase, text, hit):
    assert bool(phrases_regex((phrase,)).search(text)) is hit
    assert bool(parse_plan(text).lines_matching(phrases_regex((phrase,)))) is hit


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("\x00\r\n\r|a|\n|-|\n", id="nul-and-crlf"),
        pytest.param("```\nunclosed fence\n", id="unclosed-fence"),
        pytest.param("> " * 200 + "deep", id="deep-quotes"),
        pytest.param("- " * 300 + "deep", id="deep-lists"),
        pytest.param("\u2028line\x0cfeed\x85", id="unicode-separators"),
    ],
)
def test_never_raises_and_lines_follow_markdown_breaks(text):
    plan = parse_plan(text)
    assert len(plan.lines) == text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    for block in plan.blocks:
        assert 1 <= block.start_line <= block.end_line <= len(plan.lines)


def test_parser_failure_falls_back_to_paragraphs(monkeypatch):
    import archbench.graders.plan as plan_module

    def broken(text):
        raise RuntimeError("parser bug")

    monkeypatch.setattr(plan_module._MARKDOWN, "parse", broken)
    plan = parse_plan("first para\n\nsecond\npara\n")
    assert [(block.kind, block.start_line, block.end_line) for block in plan.blocks] == [
        ("paragraph", 1, 1),
        ("paragraph", 3, 4),
    ]


def _spans(matches):
    return [(match.span(), match.groups()) for match in matches]


def test_matches_skip_inside_the_previous_match_like_finditer():
    pattern = starting_with(re.compile(r"a(a)"), "a")
    plan = parse_plan("aaaaa baa")
    assert _spans(plan.matches(pattern)) == _spans(pattern.finditer(plan.text)) == [((0, 2), ("a",)), ((2, 4), ("a",)), ((7, 9), ("a",))]


def test_matches_see_the_text_before_a_candidate():
    pattern = starting_with(re.compile(r"(?<![A-Za-z])GET\b"), "get")
    plan = parse_plan("GET /a/ and xGET and target GET.")
    assert _spans(plan.matches(pattern)) == _spans(pattern.finditer(plan.text))
    assert len(plan.matches(pattern)) == 2


def test_matches_fall_back_where_ignorecase_folds_a_letter_lower_does_not_give():
    """`re.IGNORECASE` matches U+017F ſ to `s`; `str.lower` leaves it, so lower-case literals would miss it."""
    pattern = starting_with(re.compile(r"status", re.IGNORECASE), "status")
    plan = parse_plan("ſtatus, STATUS and İ")
    assert _spans(plan.matches(pattern)) == _spans(pattern.finditer(plan.text))
    assert len(plan.matches(pattern)) == 2


def test_matches_begin_anywhere_in_the_word_run_before_a_word_before_literal():
    pattern = starting_with(re.compile(r"(?<![A-Za-z0-9_])(?:\w+Pagination)(?![A-Za-z0-9_])"), word_before=("Pagination",))
    plan = parse_plan("use CursorPagination, xéPagination or 9éFooPagination; not Pagination alone")
    assert _spans(plan.matches(pattern)) == _spans(pattern.finditer(plan.text))
    assert [match.group() for match in plan.matches(pattern)] == ["CursorPagination", "xéPagination", "9éFooPagination"]


def test_word_runs_shared_by_several_literals_give_every_offset_once():
    from archbench.graders.plan import _word_run_positions

    text = "x PaginationPaginationPagination y"
    ends = [text.find("Pagination", start) for start in (0, 3, 13)]
    assert _word_run_positions(text, ends) == list(range(2, ends[-1] + 1))
    pattern = starting_with(re.compile(r"\w+?Pagination(?![A-Za-z])"), word_before=("Pagination",))
    assert _spans(parse_plan(text).matches(pattern)) == _spans(pattern.finditer(text))


def test_matches_begin_where_a_run_holding_a_run_literal_begins():
    """`run_holding`: a snake_case word that must be a whole run of [A-Za-z0-9_] is tried only at run starts,
    and finds what `finditer` finds next to non-ASCII letters (é, the Kelvin sign K that lower-cases to k)."""
    pattern = starting_with(re.compile(r"(?<![A-Za-z0-9_])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![A-Za-z0-9_])"), run_holding=("_",))
    text = "send_email, éx_y, \u212ax_y, Kx_y, __dunder__, a__b, trailing_, x_1_y\nnext_line → café_bar ok_"
    plan = parse_plan(text)
    assert _spans(plan.matches(pattern)) == _spans(pattern.finditer(plan.text))
    assert [match.group() for match in plan.matches(pattern)] == ["send_email", "x_y", "x_y", "x_1_y", "next_line"]
    with pytest.raises(ValueError):
        starting_with(re.compile("a.b"), run_holding=("a.b",))


def test_occurrences_are_every_offset_of_each_literal_in_the_lower_case_text():
    """Searched in a one-byte copy where non-ASCII characters are `?`: a literal with `?` is searched in
    the text itself; overlapping occurrences (`**` in `***`) all count."""
    plan = parse_plan("Why? Ünïcode → x?? and ***bold*** — ok?")
    lower = plan.lower_text
    for literals in (("?",), ("**",), ("x?",), ("ok", "?"), ("→",), ("bold", "old"), ("missing",)):
        expected = sorted({i for literal in literals for i in range(len(lower)) if lower.startswith(literal, i)})
        assert plan.occurrences(literals) == expected, literals


def test_first_line_searching_skips_only_lines_that_cannot_hold_a_match():
    """Lines without a phrase's first word or a declared start literal (ignoring case, as IGNORECASE does)
    are not searched; the answer is always the first line, in the order given, that `search` matches."""
    text = "intro\nA Soft Delete here\nsoft_delete too\nSTATUS and ſtatus\nnothing\nstate\n"
    plan = parse_plan(text)
    lines = [6, 5, 4, 3, 2, 1]
    for pattern in (
        phrases_regex(("soft delete",)),
        starting_with(re.compile(r"(?<![A-Za-z])(?:status|state)(?![A-Za-z])", re.IGNORECASE), "stat"),
        re.compile(r"nothing|intro"),
    ):
        naive = next((line for line in lines if pattern.search(plan.line(line))), None)
        assert plan.first_line_searching(pattern, lines) == naive, pattern.pattern
    assert plan.lines_that_may_match(phrases_regex(("soft delete",))) is None  # ſ: lower case cannot tell
    plain_plan = parse_plan(text.replace("ſ", "s"))
    assert plain_plan.lines_that_may_match(phrases_regex(("soft delete",))) == {2, 3}
    assert plain_plan.lines_that_may_match(re.compile(r"nothing|intro")) is None


def test_start_literals_must_not_be_empty():
    with pytest.raises(ValueError):
        starting_with(re.compile("x"), "")


def test_every_declared_start_literal_holds_on_the_corpus_plans():
    """A wrong `starting_with` declaration would silently drop matches: check each against plain `finditer`,
    and phrase patterns (searched only where their first words stand alone) against their lower-case twin.

    Grading the reference plans first declares the patterns built per repo or rubric too.
    """
    from archbench.core.scenarios import load_scenarios
    from archbench.graders.grade import grade_plan
    from archbench.graders.plan import _LOWERCASE_TWIN, _START_LITERALS

    scenarios = load_scenarios()
    texts = [scenario.reference_plan_text() for scenario in scenarios]
    texts += [path.read_text(encoding="utf-8") for path in sorted(GOLD_DIR.rglob("*.md")) if path.name != "README.md"]
    for scenario in scenarios:
        grade_plan(scenario.reference_plan_text(), scenario)
    patterns = [re.compile(source, flags) for source, flags in list(_START_LITERALS)]
    assert len(patterns) > 40
    phrase_twins = list(_LOWERCASE_TWIN.items())
    for position, text in enumerate(texts):
        plan = parse_plan(text)
        for pattern in patterns:
            assert _spans(plan.matches(pattern)) == _spans(pattern.finditer(plan.text)), pattern.pattern
        for phrase_pattern, twin in phrase_twins if position < len(scenarios) else ():  # the reference plans
            lines = sorted({plan.line_of_offset(match.start()) for match in twin.finditer(plan.lower_text)})
            assert plan.lines_matching(phrase_pattern) == lines, twin.pattern


def test_first_line_matching_is_the_first_of_lines_matching():
    plan = parse_plan("intro\n\nsee tasks.py\nand app.tasks\n")
    unregistered = re.compile(r"(?<![A-Za-z0-9_])[a-z_]+\.tasks\b|tasks\.py", re.IGNORECASE)
    assert plan.first_line_matching(unregistered) == 3 == plan.lines_matching(unregistered)[0]
    assert plan.first_line_matching(re.compile("absent")) is None
    assert plan.first_line_matching(phrases_regex(("and app",))) == 4


def test_lines_containing_compares_like_ignorecase():
    plan = parse_plan("a Vue page\n\nnothing\nNUXT.config.ts\n")
    assert plan.lines_containing(["vue", "nuxt.config"]) == {1, 4}
    assert plan.lines_containing(["absent"]) == frozenset()


def test_lines_containing_gives_up_where_lower_case_misses_ignorecase_matches():
    assert parse_plan("ſtatus\n").lines_containing(["status"]) is None


# pieces that make headings of several levels, paragraphs, list items, code and tables
INDEX_PIECES = ["# A\n", "## B\n", "### C\n", "para\n", "\n", "- item\n", "  - sub\n", "```\ncode\n```\n", "| a |\n|---|\n| b |\n", "x\n===\n"]


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(st.sampled_from(INDEX_PIECES), max_size=25), order=st.randoms(use_true_random=False))
def test_heading_and_block_indexes_answer_like_a_walk(pieces, order):
    """heading_span and next_block_line answer from per-plan indexes; asked in any order, they give what
    walking every heading or block after the line gives."""
    plan = parse_plan("".join(pieces))
    for heading in plan.headings:
        later = [other.start_line for other in plan.headings if other.start_line > heading.start_line and other.level <= heading.level]
        assert plan.heading_span(heading) == (heading.start_line, later[0] - 1 if later else len(plan.lines))
    lines = list(range(0, len(plan.lines) + 2))
    order.shuffle(lines)
    for line in lines:
        walked = [block.start_line for block in plan.blocks if block.start_line > line and block.kind in ("heading", "code")]
        assert plan.next_block_line(line, "heading or code", lambda block: block.kind in ("heading", "code")) == (walked[0] if walked else None)


# --- lower-case twins (issue 19: case-insensitive searches run a case-sensitive twin on the lower-cased text)

ALL_CODE_POINTS = "".join(chr(code) for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF)
UNALIGNED = set("\u0130\u0131\u017f")  # İ ı ſ: texts holding them are never searched with a twin


def _bare_spans(matches):
    """Where each match and each of its groups lies (a twin's groups hold lower-cased text)."""
    return [tuple(match.span(group) for group in range(len(match.groups()) + 1)) for match in matches]


def test_an_ascii_character_twin_matches_every_code_point_its_pattern_matches():
    """The ground of `lowercase_twin`: over every code point whose lower case is one character (but İ, ı, ſ),
    an ASCII character ignoring case matches `c` exactly when its twin matches `c.lower()`."""
    from archbench.graders.plan import lowercase_twin

    printable = [chr(code) for code in range(32, 127)]
    any_ascii = re.compile("[" + re.escape("".join(printable)) + "]", re.IGNORECASE)
    folding = set(any_ascii.findall(ALL_CODE_POINTS)) | {char for char in ALL_CODE_POINTS if len(char.lower()) == 1 and char.lower().isascii()}
    folding = {char for char in folding - UNALIGNED if len(char.lower()) == 1}
    for x in printable:
        pattern = re.compile(re.escape(x), re.IGNORECASE)
        twin = lowercase_twin(pattern)
        assert twin is not None, x
        for char in folding:
            assert bool(pattern.fullmatch(char)) == bool(twin.fullmatch(char.lower())), (x, hex(ord(char)))


def test_character_class_twins_find_the_offsets_in_the_lower_cased_text():
    """`\\w`, `\\d`, `\\s` (and so `\\b`) class every code point as they class its lower case."""
    from archbench.graders.plan import lowercase_twin

    text = "".join(char if len(char.lower()) == 1 else " " for char in ALL_CODE_POINTS)
    lower = text.lower()
    assert len(lower) == len(text)
    for category in (r"\w", r"\d", r"\s", r"\b", r"\W+"):
        pattern = re.compile(category, re.IGNORECASE)
        assert _bare_spans(lowercase_twin(pattern).finditer(lower)) == _bare_spans(pattern.finditer(text)), category


def _twinned_patterns():
    """Every case-insensitive pattern of the graders that has a twin, and the phrase patterns made so far."""
    import archbench.graders.completeness as completeness
    import archbench.graders.conventions as conventions
    import archbench.graders.grounding as grounding
    import archbench.graders.scope as scope
    from archbench.graders.plan import _LOWERCASE_TWIN, lowercase_twin

    patterns = [value for module in (completeness, conventions, grounding, scope) for value in vars(module).values() if isinstance(value, re.Pattern)]
    patterns += list(_LOWERCASE_TWIN)
    return [(pattern, lowercase_twin(pattern)) for pattern in patterns if lowercase_twin(pattern) is not None]


ADVERSARIAL_TEXTS = [
    "MAX_RETRIES = 3; Retry 5 times\nDead-Letter queue, DLQ, IDEMPOTENT, Give Up, get_OR_create",
    "\u212aelvin \u212a K k, Σίσυφος ΣΑΣ, straße STRASSE, Éclair éclair, ﬁle, ǅ ǆ Ǆ",
    "`NewModel` (NEW) and **Task** TASK task; Status: STATE, status_id, TextChoices, CHOICES",
    "end without newline: RETRIES", "",
]


def test_lower_case_twins_find_the_spans_the_patterns_find():
    """On the corpus's plans and adversarial texts (Kelvin sign, final sigma, ß, ligatures, titlecase), every
    twin finds in the lower-cased text the spans its pattern finds in the text, wherever a twin is used."""
    from archbench.core.scenarios import load_scenarios
    from archbench.graders.grade import grade_plan
    from archbench.graders.plan import folds_like_lower

    scenarios = load_scenarios()
    for scenario in scenarios:  # makes the phrase patterns built per rubric
        grade_plan(scenario.reference_plan_text(), scenario)
    texts = [scenario.reference_plan_text() for scenario in scenarios] + ADVERSARIAL_TEXTS
    texts += [path.read_text(encoding="utf-8") for path in sorted(GOLD_DIR.rglob("*.md"))[:40] if path.name != "README.md"]
    pairs = _twinned_patterns()
    assert len(pairs) > 100
    for text in texts:
        lower = text.lower()
        if len(lower) != len(text) or not folds_like_lower(text):
            continue
        for pattern, twin in pairs:
            assert _bare_spans(twin.finditer(lower)) == _bare_spans(pattern.finditer(text)), (pattern.pattern, text[:40])


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("aAkKsSiItTyYrReE_-. \n`*0123456789") + ["\u212a", "É", "é", "ß", "Σ", "ﬁ", "ǅ", "→"]), max_size=60))
def test_lower_case_twins_agree_on_random_text(text):
    from archbench.graders.plan import folds_like_lower

    lower = text.lower()
    if len(lower) != len(text) or not folds_like_lower(text):
        return
    for pattern, twin in _twinned_patterns():
        assert _bare_spans(twin.finditer(lower)) == _bare_spans(pattern.finditer(text)), pattern.pattern


@pytest.mark.parametrize(
    "source, flags",
    [
        (r"retry", 0),  # case-sensitive already
        (r"retry", re.IGNORECASE | re.ASCII),  # ASCII folding: lower-casing é in the text would be wrong
        (r"(?-i:A)b", re.IGNORECASE),  # a case-sensitive part
        (r"(?x) a b", re.IGNORECASE),  # inline flags
        (r"\x41", re.IGNORECASE),  # an escape naming a letter
        (r"[@-Z]", re.IGNORECASE),  # lower-cased, the range would hold `[`
        (r"É", re.IGNORECASE),  # a non-ASCII cased character
        (r"(?P<a>x)|(?P<A>y)", re.IGNORECASE),  # group names that clash once lower-cased
    ],
)
def test_no_twin_where_lower_casing_the_source_is_not_exact(source, flags):
    from archbench.graders.plan import lowercase_twin

    assert lowercase_twin(re.compile(source, flags)) is None


def test_twin_keeps_escapes_and_group_syntax():
    from archbench.graders.plan import lowercase_twin

    twin = lowercase_twin(re.compile(r"(?P<Name>[A-Z]\w*)\D(?P=Name)\Z|\bDLQ\B", re.IGNORECASE))
    assert twin is not None and twin.pattern == r"(?P<name>[a-z]\w*)\D(?P=name)\Z|\bdlq\B" and not twin.flags & re.IGNORECASE


def test_first_line_searching_and_matching_answer_alike_with_a_twin():
    """Lines are searched lower-cased with the twin; a text with ſ is searched as it is."""
    for text in ("intro\nMax_Retries is 3\nthen RETRY\n", "ſ\nMax_Retries is 3\n"):
        plan = parse_plan(text)
        pattern = re.compile(r"max_retries|retry", re.IGNORECASE)
        lines = list(range(1, len(plan.lines) + 1))
        naive = next((line for line in lines if pattern.search(plan.line(line))), None)
        assert plan.first_line_searching(pattern, lines) == naive == plan.first_line_matching(pattern) == plan.lines_matching(pattern)[0]
        assert (plan._twin(pattern) is None) == ("ſ" in text)


# --- one Aho-Corasick pass for every literal (issue 19)


def _every_offset(text, literal):
    return [index for index in range(len(text)) if text.startswith(literal, index)]


def _scanned(literals, text):
    from archbench.graders.plan import _LiteralScanner

    scanner = _LiteralScanner()
    for literal in literals:
        scanner.add(literal)
    return scanner.scan(text)


@pytest.mark.parametrize(
    "literals, text",
    [
        (("**", "*"), "a ****b* **"),  # a literal overlapping itself, and one inside another
        (("aba", "ab", "b", "bab"), "ababababa"),  # overlaps across literals
        (("end", "d", "the end"), "to the end"),  # literals at the very end
        (("whole text",), "whole text"),
        (("task", "tasks", ".tasks", "task.status", "s"), "app.tasks.send_task; task.status; tasks"),
        (("missing", "x"), ""),  # an empty text
        (("caf?", "?", "??"), "caf? ??? \u2192?"),  # the one-byte copy's `?` for non-ASCII, and non-ASCII in the text
    ],
)
def test_one_pass_gives_every_offset_each_literal_scan_gives(literals, text):
    assert _scanned(literals, text) == {literal: _every_offset(text, literal) for literal in literals}


@settings(max_examples=300, deadline=None)
@given(
    literals=st.lists(st.text(alphabet="ab*.", min_size=1, max_size=4), min_size=1, max_size=8, unique=True),
    text=st.text(alphabet="ab*.\u00e9", max_size=80),
)
def test_one_pass_agrees_with_each_literal_scan_on_random_text(literals, text):
    assert _scanned(literals, text) == {literal: _every_offset(text, literal) for literal in literals}


def test_one_pass_on_real_plans_and_a_literal_added_later():
    """The corpus's literals (what grading the reference plans asks) over the reference plans' lower-case copies;
    a literal added after a scan is found by the next one (the automaton is rebuilt)."""
    from archbench.core.scenarios import load_scenarios
    from archbench.graders.grade import grade_plan
    from archbench.graders.plan import _LITERALS, _LiteralScanner

    scenarios = load_scenarios()
    for scenario in scenarios:
        grade_plan(scenario.reference_plan_text(), scenario)
    literals = list(_LITERALS._literals)
    assert len(literals) > 100
    scanner = _LiteralScanner()
    for literal in literals:
        scanner.add(literal)
    for scenario in scenarios:
        text = parse_plan(scenario.reference_plan_text())._ascii_lower
        assert scanner.scan(text) == {literal: _every_offset(text, literal) for literal in literals}, scenario.id
    scanner.add("zzz-new")
    assert scanner.scan("a zzz-new b")["zzz-new"] == [2]


def test_occurrences_of_a_literal_first_asked_after_the_plans_pass():
    plan = parse_plan("Celery task: tasks.py and a TASK\n")
    assert plan.occurrences(("task",)) == [7, 13, 28]
    assert plan._literals_scanned
    assert plan.occurrences(("ks.p-first-seen-here", "ks.p")) == [16]
