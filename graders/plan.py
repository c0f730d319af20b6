"""A plan's Markdown as blocks with line numbers: what every grader reads.

`parse_plan` never raises: markdown-it accepts any text, and if it ever failed the plan
falls back to blank-line-separated paragraphs so that grading still has evidence lines.

Line numbers are 1-based and count `\\n`, `\\r\\n` and `\\r` as line breaks, the same way
markdown-it does (not `str.splitlines`, which also breaks on form feeds and U+2028).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from itertools import accumulate, compress
from typing import Callable, Hashable, Iterable, Literal, TypeVar

import ahocorasick
from markdown_it import MarkdownIt
from markdown_it.token import Token

BlockKind = Literal["heading", "paragraph", "list_item", "table_row", "code", "html", "section"]
PhraseGroup = Iterable[str]
T = TypeVar("T")

_MARKDOWN = MarkdownIt("commonmark").enable("table")
_MARKDOWN.core.ruler.disable(["inline", "text_join"])  # graders read raw inline source; skipping inline parsing halves the time
_MARKDOWN.core.ruler.disable(["normalize"])  # parse_plan hands it text already normalised the same way (line breaks, NUL)
_LINE_BREAK = re.compile(r"\r\n?|\n")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_EMPHASIS = re.compile(r"[*`~#>]+")  # not `_`: it belongs to snake_case names


@dataclass(frozen=True)
class Block:
    """One Markdown block.

    `text` is the block's source without block syntax: inline Markdown for headings,
    paragraphs and list items (a list item includes its sub-items), cells joined by
    " | " for table rows, the raw content for code. `section` holds the texts of the
    enclosing headings, outermost first. A "section" block is a heading plus its direct
    body up to the next heading of any level.
    """

    kind: BlockKind
    text: str
    start_line: int
    end_line: int
    lang: str | None = None
    section: tuple[str, ...] = ()
    level: int = 0
    cells: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
    body_start_line: int = 0

    def contains_line(self, line: int) -> bool:
        return self.start_line <= line <= self.end_line

    @property
    def first_line_text(self) -> str:
        return self.text.split("\n", 1)[0]


@dataclass(frozen=True)
class PhraseMatch:
    block: Block
    line: int
    evidence: str


# For phrase patterns, `lines_matching` first checks that one of these lower-case words occurs
# at all, then runs a case-sensitive twin of the pattern on the lower-cased text: Python's
# `re` is several times slower with IGNORECASE.
_REQUIRED_WORDS: dict[re.Pattern[str], tuple[str, ...]] = {}
_LOWERCASE_TWIN: dict[re.Pattern[str], re.Pattern[str]] = {}
# Every first word of those patterns that is a run of letters and digits, numbered in the order
# first seen: `_Runs` indexes where these words occur in a plan, and only these.
_RUN_WORDS: dict[str, int] = {}


@lru_cache(maxsize=4096)
def phrases_regex(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for "any of these phrases": case-insensitive, word-bounded, `_`/`-`/space alike."""
    bodies = []
    first_words = []
    for phrase in phrases:
        words = [part for part in re.split(r"[\s_\-]+", phrase.strip()) if part]
        if words:
            bodies.append(r"[\s_\-]+".join(re.escape(word) for word in words))
            first_words.append(words[0].lower())
    if not bodies:
        return re.compile(r"(?!x)x")
    bodies.sort(key=len, reverse=True)
    body = "|".join(bodies)
    pattern = re.compile(rf"(?<![A-Za-z0-9])(?:{body})(?![A-Za-z0-9])", re.IGNORECASE)
    if all(word.isascii() for word in first_words) and body.isascii():
        _REQUIRED_WORDS[pattern] = tuple(first_words)
        for word in first_words:
            if _ALNUM_RUN.fullmatch(word):
                _RUN_WORDS.setdefault(word, len(_RUN_WORDS))
        _LOWERCASE_TWIN[pattern] = re.compile(rf"(?<![a-z0-9])(?:{body.lower()})(?![a-z0-9])")
    return pattern


@lru_cache(maxsize=4096)
def _literal_regex(literal: str) -> re.Pattern[str] | None:
    """A pattern whose `finditer` gives every occurrence of `literal`; None when occurrences can overlap
    (a proper prefix of the literal is also its suffix, as in `**`), which `finditer` would skip."""
    if any(literal[:size] == literal[-size:] for size in range(1, len(literal))):
        return None
    return re.compile(re.escape(literal))


def _occurrences(text: str, literal: str) -> list[int]:
    """Sorted offsets where `literal` occurs in `text`, overlapping ones included (searched in C)."""
    pattern = _literal_regex(literal)
    if pattern is not None:
        return [match.start() for match in pattern.finditer(text)]
    found = []
    position = text.find(literal)
    while position != -1:
        found.append(position)
        position = text.find(literal, position + 1)
    return found


class _LiteralScanner:
    """Every literal searched so far (ASCII, without `?`: searched in a plan's one-byte lower-case copy), and an
    Aho–Corasick automaton over them: `scan` finds all of them in one pass over a text, overlapping occurrences
    included, where one search per literal went over the text ~140 times a plan (2–3 ms on a 20 KB plan).
    The automaton is rebuilt when literals were added since (while the first plans of a rubric are graded)."""

    def __init__(self) -> None:
        self._literals: dict[str, None] = {}
        self._automaton: ahocorasick.Automaton | None = None

    def add(self, literal: str) -> None:
        self._literals.setdefault(literal, None)

    def scan(self, text: str) -> dict[str, list[int]]:
        """Every known literal's sorted offsets in `text` (an empty list for one that does not occur)."""
        literals = tuple(self._literals)  # the list only grows: a snapshot and an automaton of its length agree
        automaton = self._automaton
        if automaton is None or len(automaton) != len(literals):
            automaton = ahocorasick.Automaton()
            for literal in literals:
                automaton.add_word(literal, (literal, len(literal) - 1))
            automaton.make_automaton()
            self._automaton = automaton
        found: dict[str, list[int]] = {literal: [] for literal in literals}
        for end, (literal, back) in automaton.iter(text):  # by end offset: each literal's starts come in order
            found[literal].append(end - back)
        return found


_LITERALS = _LiteralScanner()


def _matches_at(pattern: re.Pattern[str], text: str, candidates: list[int]) -> list[re.Match[str]]:
    """The matches `pattern.finditer(text)` gives, when every match starts at one of `candidates` (sorted).

    Each candidate is tried in order, skipping any inside the previous match exactly as
    `finditer` does; `match` at an offset still sees the text before it (look-behinds, `\\b`).
    """
    found: list[re.Match[str]] = []
    resume = 0
    for position in candidates:
        if position < resume:
            continue
        match = pattern.match(text, position)
        if match:
            found.append(match)
            resume = max(match.end(), position + 1)
    return found


_ALNUM_RUN = re.compile(r"[a-z0-9]+")
_ALNUM_SPLIT = re.compile(r"([a-z0-9]+)")


class _Runs:
    """Where the maximal runs of `[a-z0-9]` of a lower-cased text that are phrase first words begin.

    Built once per plan, in C but for the words asked for (`_RUN_WORDS` when built): the text is split
    into separators and runs, and a run's offset is the summed length of what comes before it. A word
    first seen after the build (a phrase pattern made while grading this plan) is searched on its own.
    """

    __slots__ = ("_text", "_known", "_offsets")

    def __init__(self, lower: str) -> None:
        self._text = lower
        self._known = len(_RUN_WORDS)
        parts = _ALNUM_SPLIT.split(lower)  # separator, run, separator, run, ..., separator
        ends = list(accumulate(map(len, parts)))  # parts[2i + 1], a run, begins at ends[2i]
        runs = parts[1::2]
        offsets: dict[str, list[int]] = {}
        for run, start in compress(zip(runs, ends[0::2]), map(_RUN_WORDS.__contains__, runs)):
            found = offsets.get(run)
            if found is None:
                offsets[run] = [start]
            else:
                found.append(start)
        self._offsets = offsets

    def get(self, word: str) -> list[int]:
        """Offsets of the runs equal to `word` (a run of `[a-z0-9]`), in order; empty when there is none."""
        found = self._offsets.get(word)
        if found is None:
            if _RUN_WORDS.get(word, self._known) < self._known:
                return []
            pattern = re.compile(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])")
            found = self._offsets[word] = [match.start() for match in pattern.finditer(self._text)]
        return found


def _phrase_starts(twin: re.Pattern[str], lower: str, first_words: tuple[str, ...], runs: _Runs, plan: "ParsedPlan") -> list[int]:
    """Match starts of a phrase pattern, as `twin.finditer(lower)` gives them, found faster.

    Every match begins with one of the phrases' first words, after no letter or digit and
    before a separator or the end of the phrase (also no letter or digit): a first word of
    letters and digits only is a whole run of `runs` there. Only those places (others found
    with `plan.occurrences`) are tried. A 20 KB plan is searched for ~40 phrase patterns.
    """
    candidates: set[int] = set()
    for word in first_words:
        if _ALNUM_RUN.fullmatch(word):
            candidates.update(runs.get(word))
        else:
            candidates.update(plan.occurrences((word,)))
    return [match.start() for match in _matches_at(twin, lower, sorted(candidates))]


# Patterns declared with `starting_with`: where their matches can begin (lower-case literals, and
# literals a match may reach through a run of word characters), so `ParsedPlan.matches` tries
# only those places in the lower-cased text. Python's `re` otherwise tries every offset, slowly
# when a pattern opens with a look-behind, a `\b` or a case-insensitive alternation (0.3–2 ms on
# a 20 KB plan instead of ~0.05 ms).
_START_LITERALS: dict[tuple[str, int], tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {}
_ASCII_WORD = re.compile(r"[A-Za-z0-9_]+")
# bytes of `[A-Za-z0-9_]` stay, every other byte becomes a space: where the runs of those characters are
_ASCII_WORD_MASK = bytes(byte if _ASCII_WORD.fullmatch(chr(byte)) else 0x20 for byte in range(256))
# Characters that `re.IGNORECASE` matches to an ASCII letter although `str.lower` does not give
# that letter (U+0130 İ, U+0131 ı, U+017F ſ): where they occur, lower-case literals could miss a match.
_UNALIGNED_FOLDS = ("\u0130", "\u0131", "\u017f")


def folds_like_lower(text: str) -> bool:
    """Whether `re.IGNORECASE` finds ASCII letters in `text` exactly where `text.lower()` has them, at the
    same offsets: true unless the text holds İ, ı or ſ (checked over every code point)."""
    return text.isascii() or not any(char in text for char in _UNALIGNED_FOLDS)


# A lower-case twin's source: every character outside an escape is lower-cased, so these must not occur.
_TWIN_ESCAPES = frozenset("dDsSwWbBAZntrfv")  # escapes kept as they are: classes, anchors and control characters
_TWIN_RANGE = re.compile(r"[a-z]-[a-z]|[A-Z]-[A-Z]|[0-9]-[0-9]")


@lru_cache(maxsize=4096)
def lowercase_twin(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """A case-sensitive pattern that matches in `text.lower()` exactly where the case-insensitive `pattern`
    matches in `text`, with the same spans, for every text that `folds_like_lower` and whose lower-case copy
    has its length; None when the source cannot be lower-cased safely. Python's `re` runs 2.5-4x faster
    without IGNORECASE (each character is folded as it is compared), so searches that only need where a
    pattern matches (not its groups' text) run the twin.

    The twin's source is the pattern's with every character outside an escape lower-cased. That is exact
    because, over every code point but İ, ı and ſ, an ASCII character ignoring case matches `c` exactly when
    its lower case equals `c.lower()`, and `\w`, `\d`, `\s` (so `\b`) class `c` as they class `c.lower()`
    (tests/graders/test_plan.py checks both over all code points). Not twinned: patterns without
    IGNORECASE or with ASCII or LOCALE, inline flags other than `(?i:`, escapes other than punctuation and
    `_TWIN_ESCAPES` (`\x41` names a letter), non-ASCII cased characters, and ranges other than a-z, A-Z,
    0-9 pieces (`[@-Z]` lower-cased is `[@-z]`, which holds `[`).
    """
    flags = pattern.flags
    if not flags & re.IGNORECASE or flags & (re.ASCII | re.LOCALE):
        return None
    source = pattern.pattern
    twin = []
    index = 0
    while index < len(source):
        char = source[index]
        if char == "\\":
            escaped = source[index + 1 : index + 2]
            if not escaped or (escaped.isalnum() and escaped not in _TWIN_ESCAPES):
                return None
            twin.append(char + escaped)
            index += 2
            continue
        if source.startswith("(?P", index):  # a named group or a reference to one: `P` stays, the name is lower-cased
            twin.append("(?P")
            index += 3
            continue
        if source.startswith("(?", index) and source[index + 2 : index + 3] in set("aiLmsux-") and not source.startswith("(?i:", index):
            return None
        if not char.isascii() and (char.lower() != char or char.upper() != char):
            return None
        if char == "-" and 0 < index < len(source) - 1 and source[index - 1] not in "[\\" and source[index + 1] != "]":
            # a range only inside a class; outside one, `-` is itself and both neighbours are kept whatever they are
            if _inside_class(source, index) and not _TWIN_RANGE.fullmatch(source[index - 1 : index + 2]):
                return None
        twin.append(char.lower())
        index += 1
    try:
        return re.compile("".join(twin), flags & ~re.IGNORECASE)
    except re.error:  # lower-cased group names that clash
        return None


def _inside_class(source: str, position: int) -> bool:
    """Whether `source[position]` lies inside a character class `[...]` (escapes and a leading `]` or `^]` allowed for)."""
    inside = False
    index = 0
    while index < position:
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if not inside and char == "[":
            inside = True
            index += 1
            if source[index : index + 1] == "^":
                index += 1
            if source[index : index + 1] == "]":  # a `]` right after `[` or `[^` is a member
                index += 1
            continue
        if inside and char == "]":
            inside = False
        index += 1
    return inside


def starting_with(
    pattern: re.Pattern[str], *literals: str, word_before: tuple[str, ...] = (), run_holding: tuple[str, ...] = ()
) -> re.Pattern[str]:
    """Declare where every match of `pattern` begins, ignoring case; returns `pattern`.

    A match begins with one of `literals`; or inside the run of word characters (`\\w`) that ends
    right before one of `word_before` (`\\w*Pagination` with `word_before=("Pagination",)`); or where a
    maximal run of the ASCII characters `[A-Za-z0-9_]` begins that holds one of `run_holding` (made of
    those characters: `_` for a snake_case word that is a whole run). A literal only has to be a
    prefix of what a match begins with (`stat` for `status|state`); a declaration with a non-ASCII
    literal is ignored (the pattern keeps the plain scan).
    tests/graders/test_plan.py checks every declaration against the corpus's plans.
    """
    if not (literals or word_before or run_holding) or not all((*literals, *word_before, *run_holding)):
        raise ValueError(f"start literals must be non-empty: {literals!r}, {word_before!r}, {run_holding!r}")
    if not all(_ASCII_WORD.fullmatch(literal) for literal in run_holding):
        raise ValueError(f"run_holding literals must be made of [A-Za-z0-9_]: {run_holding!r}")
    if all(literal.isascii() for literal in (*literals, *word_before)):  # others keep the plain scan
        _START_LITERALS[(pattern.pattern, pattern.flags)] = (
            tuple(literal.lower() for literal in literals),
            tuple(literal.lower() for literal in word_before),
            tuple(literal.lower() for literal in run_holding),
        )
    return pattern


def _word_run_positions(text: str, ends: list[int]) -> list[int]:
    """Every offset from the start of the run of word characters ending before each of `ends` (sorted)
    up to it. A walk stops at the previous end, whose own walk covered the rest of a shared run."""
    found: list[int] = []
    previous = -1
    for end in ends:
        start = end
        while start > previous + 1 and (text[start - 1].isalnum() or text[start - 1] == "_"):  # what `\w` matches
            start -= 1
        found.extend(range(start, end + 1))
        previous = end
    return found


def plain(text: str) -> str:
    """Text without list markers and `*`/backtick/heading marks, for "does it start with" checks."""
    return _EMPHASIS.sub("", _LIST_MARKER.sub("", text)).strip()


@dataclass
class ParsedPlan:
    text: str
    lines: list[str]
    blocks: list[Block]
    sections: list[Block] = field(default_factory=list)
    _line_starts: list[int] = field(default_factory=list, repr=False)
    _line_cache: dict[str, list[int]] = field(default_factory=dict, repr=False)
    _match_cache: dict[tuple[str, int], list[re.Match[str]]] = field(default_factory=dict, repr=False)
    _first_cache: dict[tuple[str, int], int | None] = field(default_factory=dict, repr=False)
    _containing_cache: dict[tuple[str, ...], frozenset[int] | None] = field(default_factory=dict, repr=False)
    _lower: str | None = field(default=None, repr=False)
    _literal_cache: dict[str, list[int]] = field(default_factory=dict, repr=False)
    _literals_scanned: bool = field(default=False, repr=False)
    _smallest: list[int] | None = field(default=None, repr=False)
    _heading_starts: dict[int, list[int]] = field(default_factory=dict, repr=False)  # by level: starts of headings at it or higher
    derived: dict[tuple, object] = field(default_factory=dict, repr=False)  # readings graders share, computed once

    # --- lines -----------------------------------------------------------------------

    @property
    def lower_text(self) -> str:
        if self._lower is None:
            self._lower = self.text.lower()
        return self._lower

    @cached_property
    def _lower_runs(self) -> _Runs:
        # the one-byte copy has the same runs of [a-z0-9] at the same offsets (a non-ASCII character is one `?`)
        return _Runs(self._ascii_lower)

    @cached_property
    def _ascii_lower(self) -> str:
        """`lower_text` with each non-ASCII character as one `?`: the same offsets, and `str` searches
        one byte a character instead of two or four (a single `→` in a plan makes it two)."""
        lower = self.lower_text
        return lower if lower.isascii() else lower.encode("ascii", "replace").decode("ascii")

    @cached_property
    def _ascii_word_mask(self) -> bytes:
        """`text` as bytes, one a character: `[A-Za-z0-9_]` as they are, everything else a space."""
        return self.text.encode("ascii", "replace").translate(_ASCII_WORD_MASK)

    def _run_starts(self, literals: Iterable[str]) -> set[int]:
        """Offsets where the maximal runs of `[A-Za-z0-9_]` holding one of `literals` begin (the literals
        are found in `lower_text`, whose offsets are `text`'s when `_lower_aligned`, and ignoring case: a
        run of `text` holds each of them in either case)."""
        mask = self._ascii_word_mask
        return {mask.rfind(b" ", 0, position) + 1 for position in self.occurrences(literals)}

    def occurrences(self, literals: Iterable[str]) -> list[int]:
        """Sorted offsets in `lower_text` where one of `literals` occurs (overlapping ones too); each
        literal is searched once per plan. The list returned may be shared: read it, don't change it."""
        lists = []
        for literal in set(literals):
            found = self._literal_cache.get(literal)
            if found is None:
                found = self._literal_cache[literal] = self._search_literal(literal)
            if found:
                lists.append(found)
        if len(lists) == 1:
            return lists[0]
        return sorted(set().union(*lists))

    def _search_literal(self, literal: str) -> list[int]:
        """Sorted offsets of `literal` in `lower_text`. The plan's first search finds every literal known from
        earlier plans in one pass (`_LITERALS`); a literal first seen after it is searched on its own."""
        if literal and literal.isascii() and "?" not in literal:  # the same offsets in the one-byte copy
            _LITERALS.add(literal)
            if not self._literals_scanned:
                self._literals_scanned = True
                for known, offsets in _LITERALS.scan(self._ascii_lower).items():
                    self._literal_cache.setdefault(known, offsets)
                return self._literal_cache[literal]
            return _occurrences(self._ascii_lower, literal)
        return _occurrences(self.lower_text, literal)

    @cached_property
    def _lower_aligned(self) -> bool:
        """Whether offsets in `lower_text` are offsets in `text` and case-insensitive matching of ASCII
        finds nothing there that lower-case literals would not."""
        return len(self.lower_text) == len(self.text) and folds_like_lower(self.text)

    def matches(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        """`list(pattern.finditer(text))`, computed once per pattern, faster for `starting_with` patterns."""
        key = (pattern.pattern, pattern.flags)
        found = self._match_cache.get(key)
        if found is None:
            found = self._match_cache[key] = list(self._find(pattern))
        return found

    def _find(self, pattern: re.Pattern[str], twin: re.Pattern[str] | None = None) -> Iterable[re.Match[str]]:
        """`pattern.finditer(text)`; given `pattern`'s `_twin`, the twin's matches in `lower_text` instead (the same
        spans, found faster: for callers that only need where matches are)."""
        searched, text = (pattern, self.text) if twin is None else (twin, self.lower_text)
        declared = _START_LITERALS.get((pattern.pattern, pattern.flags))
        if declared is None or not self._lower_aligned:
            return searched.finditer(text)
        literals, word_before, run_holding = declared
        candidates = self.occurrences(literals)
        if word_before:
            candidates = sorted({*candidates, *_word_run_positions(self.text, self.occurrences(word_before))})
        if run_holding:
            candidates = sorted({*candidates, *self._run_starts(run_holding)})
        return _matches_at(searched, text, candidates)

    def _twin(self, pattern: re.Pattern[str]) -> re.Pattern[str] | None:
        """`lowercase_twin(pattern)` where it finds in `lower_text` what `pattern` finds in `text`, else None."""
        return lowercase_twin(pattern) if self._lower_aligned else None

    @cached_property
    def _lower_lines(self) -> list[str]:
        return self.lower_text.split("\n")

    def _lower_line(self, number: int) -> str:
        """`line(number)` lower-cased (its offsets are the line's when `_lower_aligned`)."""
        return self._lower_lines[number - 1] if 1 <= number <= len(self._lower_lines) else ""

    def line(self, number: int) -> str:
        """Text of a 1-based line ('' when out of range)."""
        return self.lines[number - 1] if 1 <= number <= len(self.lines) else ""

    def line_of_offset(self, offset: int) -> int:
        return bisect_right(self._line_starts, offset)

    def line_start(self, number: int) -> int:
        """Offset in `text` where a 1-based line begins."""
        return self._line_starts[number - 1]

    def lines_matching(self, pattern: re.Pattern[str]) -> list[int]:
        """Sorted 1-based lines where `pattern` matches (a match spanning lines counts at its start)."""
        key = f"{pattern.flags}:{pattern.pattern}"
        cached = self._line_cache.get(key)
        if cached is None:
            searched, text = pattern, self.text
            required = _REQUIRED_WORDS.get(pattern)
            if required is not None:
                lower = self.lower_text
                if len(lower) == len(self.text):
                    searched, text = _LOWERCASE_TWIN[pattern], lower
                    runs = self._lower_runs  # where _phrase_starts looks: an index, not a scan of the text per word
                    present = any(runs.get(word) if _ALNUM_RUN.fullmatch(word) else word in lower for word in required)
                else:
                    present = any(word in lower for word in required)
                if not present:
                    self._line_cache[key] = []
                    return []
            if searched is pattern:  # matches are kept only when a grader asks for them: fewer objects for the GC
                known = self._match_cache.get((pattern.pattern, pattern.flags))
                starts = [match.start() for match in (self._find(pattern, self._twin(pattern)) if known is None else known)]
            else:
                starts = _phrase_starts(searched, text, required, self._lower_runs, self)
            cached = sorted({self.line_of_offset(start) for start in starts})
            self._line_cache[key] = cached
        return cached

    def first_line_matching(self, pattern: re.Pattern[str]) -> int | None:
        """`lines_matching(pattern)[0]` (None without a match); a plain scan stops at the first match."""
        lines = self._line_cache.get(f"{pattern.flags}:{pattern.pattern}")
        if lines is not None or pattern in _REQUIRED_WORDS or (pattern.pattern, pattern.flags) in _START_LITERALS:
            return next(iter(self.lines_matching(pattern) if lines is None else lines), None)
        key = (pattern.pattern, pattern.flags)
        if key not in self._first_cache:
            twin = self._twin(pattern)
            match = pattern.search(self.text) if twin is None else twin.search(self.lower_text)
            self._first_cache[key] = self.line_of_offset(match.start()) if match else None
        return self._first_cache[key]

    def lines_containing(self, literals: Iterable[str]) -> frozenset[int] | None:
        """Lines holding one of these ASCII literals, compared ignoring case as `re.IGNORECASE` does; None
        when that cannot be told from the lower-cased text (then any line may hold one).

        Given literals one of which every match of a pattern contains, graders skip the other lines.
        """
        key = tuple(sorted({literal.lower() for literal in literals}))
        if key not in self._containing_cache:
            if not self._lower_aligned or not all(literal and literal.isascii() and "\n" not in literal for literal in key):
                self._containing_cache[key] = None
            else:
                self._containing_cache[key] = frozenset(self.line_of_offset(position) for position in self.occurrences(key))
        return self._containing_cache[key]

    def lines_that_may_match(self, pattern: re.Pattern[str]) -> frozenset[int] | None:
        """Lines on which a match of `pattern` that lies within one line can begin: those holding (ignoring
        case) a first word of a phrase pattern or a start literal declared with `starting_with`, which every
        match begins with; None when any line may (no such words, or `lines_containing` cannot tell)."""
        words = _REQUIRED_WORDS.get(pattern)
        if words is None:
            declared = _START_LITERALS.get((pattern.pattern, pattern.flags))
            if declared is None or not declared[0] or declared[1] or declared[2]:
                return None
            words = declared[0]
        return self.lines_containing(words)

    def first_line_searching(self, pattern: re.Pattern[str], lines: Iterable[int]) -> int | None:
        """The first of `lines` (in their order) whose own text `pattern.search` matches; lines that cannot
        hold a match (`lines_that_may_match`) are not searched."""
        may_match = self.lines_that_may_match(pattern)
        twin = self._twin(pattern)
        search, line_text = (pattern.search, self.line) if twin is None else (twin.search, self._lower_line)
        if may_match is None:
            return next((line for line in lines if search(line_text(line))), None)
        return next((line for line in lines if line in may_match and search(line_text(line))), None)

    def first_line_in(self, pattern: re.Pattern[str], start: int, end: int) -> int | None:
        """First line in [start, end] where `pattern` matches."""
        hits = self.lines_matching(pattern)
        index = bisect_left(hits, start)
        if index < len(hits) and hits[index] <= end:
            return hits[index]
        return None

    # --- blocks ----------------------------------------------------------------------

    @cached_property
    def headings(self) -> list[Block]:
        return [block for block in self.blocks if block.kind == "heading"]

    @cached_property
    def _block_starts(self) -> list[int]:
        return [block.start_line for block in self.blocks]

    def blocks_starting_in(self, start: int, end: int) -> list[Block]:
        """Blocks whose first line is in [start, end] (blocks are sorted by start line)."""
        return self.blocks[bisect_left(self._block_starts, start) : bisect_right(self._block_starts, end)]

    @cached_property
    def code_blocks(self) -> list[Block]:
        return [block for block in self.blocks if block.kind == "code"]

    @cached_property
    def units(self) -> list[Block]:
        """The "blocks" of docs/formats.md: paragraphs, list items, table rows, code, then heading sections
        (built once per plan: read the list, don't change it)."""
        return [block for block in self.blocks if block.kind != "heading"] + self.sections

    def block_at(self, line: int) -> Block | None:
        """The smallest block (not counting heading sections) containing `line`."""
        if self._smallest is None:
            self._smallest = [-1] * (len(self.lines) + 2)
            by_size = sorted(range(len(self.blocks)), key=lambda i: self.blocks[i].start_line - self.blocks[i].end_line)
            for index in by_size:
                block = self.blocks[index]
                for number in range(block.start_line, min(block.end_line, len(self.lines)) + 1):
                    self._smallest[number] = index
        index = self._smallest[line] if 0 <= line < len(self._smallest) else -1
        return self.blocks[index] if index >= 0 else None

    def heading_span(self, heading: Block) -> tuple[int, int]:
        """Lines of a heading and everything under it, up to the next heading of the same or a higher level."""
        following = self.next_heading_line(heading.start_line, heading.level)
        return heading.start_line, len(self.lines) if following is None else following - 1

    def next_heading_line(self, line: int, level: int = 6) -> int | None:
        """First line of the first heading after `line` whose level is `level` or higher (1 is highest)."""
        starts = self._heading_starts.get(level)
        if starts is None:
            starts = self._heading_starts[level] = [heading.start_line for heading in self.headings if heading.level <= level]
        index = bisect_right(starts, line)
        return starts[index] if index < len(starts) else None

    def next_block_line(self, line: int, kind: Hashable, qualifies: Callable[[Block], bool]) -> int | None:
        """First line of the first block after `line` that `qualifies`; `kind` names the predicate.

        Callers ask for many lines: each block's answer (the index of the first qualifying block from
        it on) is remembered under `kind`, so no block is looked at twice, and none past the answer.
        """
        found: dict[int, int] = self.derive(("next_block_line", kind), dict)
        index = bisect_right(self._block_starts, line)
        passed = []
        while index < len(self.blocks) and index not in found:
            if qualifies(self.blocks[index]):
                found[index] = index
                break
            passed.append(index)
            index += 1
        answer = found.get(index, len(self.blocks))
        found.update(dict.fromkeys(passed, answer))
        return self.blocks[answer].start_line if answer < len(self.blocks) else None

    def derive(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, once per plan and `key` (which names what it computes): a reading several graders,
        or many lines, share."""
        if key not in self.derived:
            self.derived[key] = compute()
        return self.derived[key]

    def block_fact(self, block: Block, kind: Hashable, read: Callable[[Block], T]) -> T:
        """`read(block)`, once per block and `kind` (which names what `read` asks): graders ask it for each
        matching line, and the 100,000 lines of one block would each read the whole block again."""
        return self.derive(("block_fact", kind, id(block)), lambda: read(block))

    def blocks_in(self, start: int, end: int) -> list[Block]:
        return [block for block in self.blocks if block.start_line >= start and block.end_line <= end]

    def in_code(self, line: int) -> bool:
        return any(block.contains_line(line) for block in self.code_blocks)

    # --- phrase matching (docs/formats.md: "every group must match within one block") ---

    def find_phrases(
        self, groups: Iterable[PhraseGroup], units: Iterable[Block] | None = None
    ) -> PhraseMatch | None:
        """First unit in which every group has a phrase; evidence is the line matching most groups."""
        patterns = [phrases_regex(tuple(group)) for group in groups]
        if not patterns:
            return None
        hits = [self.lines_matching(pattern) for pattern in patterns]
        if any(not lines for lines in hits):
            return None
        hits.sort(key=len)  # the group with the fewest lines rules most units out first
        for unit in self.units if units is None else units:
            if all(any_between(lines, unit.start_line, unit.end_line) for lines in hits):
                line = self.best_line(patterns, unit.start_line, unit.end_line)
                return PhraseMatch(unit, line, self.line(line).strip())
        return None

    def best_line(self, patterns: list[re.Pattern[str]], start: int, end: int) -> int:
        """The line in [start, end] matching the most patterns (earliest on ties)."""
        counts: dict[int, int] = {}
        for pattern in patterns:
            for line in self.lines_matching(pattern):
                if start <= line <= end:
                    counts[line] = counts.get(line, 0) + 1
        if not counts:
            return start
        return min(counts, key=lambda line: (-counts[line], line))


def any_between(sorted_lines: list[int], start: int, end: int) -> bool:
    """Whether a sorted list of lines holds one in [start, end]."""
    index = bisect_left(sorted_lines, start)
    return index < len(sorted_lines) and sorted_lines[index] <= end


def parse_plan(text: str) -> ParsedPlan:
    """Parse a plan's Markdown. Never raises."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    normalised = text.replace("\x00", "\ufffd")
    if "\r" in normalised:
        normalised = _LINE_BREAK.sub("\n", normalised)
    lines = normalised.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    try:
        blocks = [_trim_blank_tail(block, lines) for block in _blocks_from_tokens(_MARKDOWN.parse(normalised), len(lines))]
    except Exception:  # noqa: BLE001 - a grader must never fail on the graded text
        blocks = _paragraphs_only(lines)
    return ParsedPlan(
        text=normalised, lines=lines, blocks=blocks, sections=_heading_sections(blocks, len(lines)), _line_starts=starts
    )


def _trim_blank_tail(block: Block, lines: list[str]) -> Block:
    """markdown-it counts a list item's trailing blank line as part of it; evidence should not."""
    end = block.end_line
    while end > block.start_line and not lines[end - 1].strip():
        end -= 1
    return block if end == block.end_line else replace(block, end_line=end)


def _span(token: Token, line_count: int) -> tuple[int, int]:
    begin, end = token.map if token.map else (0, 1)
    start = min(begin + 1, max(line_count, 1))
    return start, max(start, min(end, line_count))


# token type -> (the context it opens, or None; whether it closes one): `_open` and `_close` suffixes
_NESTING: dict[str, tuple[str | None, bool]] = {}


@dataclass
class _OpenItem:
    start: int
    end: int
    section: tuple[str, ...]
    parts: list[str] = field(default_factory=list)


def _blocks_from_tokens(tokens: list[Token], line_count: int) -> list[Block]:
    blocks: list[Block] = []
    headings: list[tuple[int, str]] = []
    items: list[_OpenItem] = []
    context: list[str] = []
    row: list[str] = []
    row_span = (0, 0)
    header: tuple[str, ...] = ()
    in_head = False
    heading_level = 1
    current_section: tuple[str, ...] = ()  # the texts of `headings`, kept in step with it

    def section() -> tuple[str, ...]:
        return current_section

    def add_to_items(text: str) -> None:
        for item in items:
            item.parts.append(text)

    for token in tokens:
        kind = token.type
        nesting = _NESTING.get(kind)
        if nesting is None:
            nesting = _NESTING[kind] = (kind[: -len("_open")], False) if kind.endswith("_open") else (None, kind.endswith("_close"))
        if nesting[0] is not None:
            context.append(nesting[0])
        elif nesting[1]:
            if context:
                context.pop()

        if kind == "list_item_open":
            start, end = _span(token, line_count)
            items.append(_OpenItem(start, end, section()))
        elif kind == "list_item_close" and items:
            item = items.pop()
            text = "\n".join(item.parts)
            blocks.append(Block("list_item", text, item.start, item.end, section=item.section))
        elif kind == "heading_open":
            heading_level = int(token.tag[1:]) if token.tag[1:].isdigit() else 1
        elif kind == "thead_open":
            in_head = True
        elif kind == "thead_close":
            in_head = False
        elif kind == "table_open":
            header = ()
        elif kind == "tr_open":
            row = []
            row_span = _span(token, line_count)
        elif kind == "tr_close":
            cells = tuple(row)
            if in_head:
                header = cells
            joined = " | ".join(cells)
            blocks.append(
                Block("table_row", joined, row_span[0], row_span[1], section=section(), cells=cells, header=header)
            )
            add_to_items(joined)
        elif kind == "inline":
            parent = context[-1] if context else ""
            if parent in ("th", "td"):
                row.append(token.content)
            elif parent == "heading":
                start, end = _span(token, line_count)
                while headings and headings[-1][0] >= heading_level:
                    headings.pop()
                current_section = tuple(text for _, text in headings)
                blocks.append(Block("heading", token.content, start, end, section=current_section, level=heading_level))
                headings.append((heading_level, token.content))
                current_section = (*current_section, token.content)
                add_to_items(token.content)
            else:
                if not items:
                    start, end = _span(token, line_count)
                    blocks.append(Block("paragraph", token.content, start, end, section=section()))
                add_to_items(token.content)
        elif kind in ("fence", "code_block"):
            start, end = _span(token, line_count)
            info = token.info.strip().split()
            lang = info[0].lower() if info and kind == "fence" else None
            body_start = start + 1 if kind == "fence" else start
            blocks.append(
                Block("code", token.content, start, end, lang=lang, section=section(), body_start_line=body_start)
            )
            add_to_items(token.content)
        elif kind == "html_block":
            start, end = _span(token, line_count)
            blocks.append(Block("html", token.content, start, end, section=section(), body_start_line=start))
            add_to_items(token.content)
    blocks.sort(key=lambda block: (block.start_line, -(block.end_line - block.start_line)))
    return blocks


def _heading_sections(blocks: list[Block], line_count: int) -> list[Block]:
    """Each heading with the blocks below it up to the next heading (blocks are sorted by start line)."""
    headings = [block for block in blocks if block.kind == "heading"]
    starts = [block.start_line for block in blocks]
    sections: list[Block] = []
    for position, heading in enumerate(headings):
        end = headings[position + 1].start_line - 1 if position + 1 < len(headings) else line_count
        end = max(end, heading.end_line)
        window = blocks[bisect_right(starts, heading.end_line) : bisect_right(starts, end)]
        body = [b.text for b in window if b.kind != "heading" and b.end_line <= end]
        sections.append(
            Block(
                "section",
                "\n".join([heading.text, *body]),
                heading.start_line,
                end,
                section=heading.section + (heading.text,),
                level=heading.level,
            )
        )
    return sections


def _paragraphs_only(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    start: int | None = None
    for number, line in enumerate(lines + [""], start=1):
        if line.strip() and start is None:
            start = number
        elif not line.strip() and start is not None:
            blocks.append(Block("paragraph", "\n".join(lines[start - 1 : number - 1]), start, number - 1))
            start = None
    return blocks
