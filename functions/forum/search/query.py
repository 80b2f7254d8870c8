"""The forum's search language, parsed by our own small parser.

    words           every word must match (in the title or the text)
    "exact phrase"  the words in this order
    -word -"phrase" leaves out posts that have it
    prefix*         words that begin so (at least two letters before the star)
    a OR b          either (binds tighter than the implicit AND: ``a OR b c`` is (a|b) c)

Everything else is plain text: ``title:x``, ``^``, ``~``, ``[a TO b]`` or ``*`` mean nothing
here, they are punctuation between words. User text is never handed to Tantivy's own query
parser, whose syntax (fields, boosts, fuzziness, ranges) would let a query name fields we do
not mean to expose or run for seconds. A query breaks a rule of ours, not a parser's: it is
too long, has more terms than we search at once, an unbalanced quote, a star with too little
before it, or nothing to look for; each is ``Invalid`` (422) with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import Invalid
from ..i18n import _

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
MIN_PREFIX_CHARS = 2
OR = "OR"


@dataclass(frozen=True)
class Term:
    """A word, a phrase or a prefix, as typed (the engine analyzes it as the index does)."""

    text: str
    phrase: bool = False
    prefix: bool = False


@dataclass(frozen=True)
class Clause:
    """One or more terms of which one must match (or, excluded, none may)."""

    alternatives: tuple[Term, ...]
    excluded: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    clauses: tuple[Clause, ...]

    @property
    def required(self) -> tuple[Clause, ...]:
        return tuple(clause for clause in self.clauses if not clause.excluded)

    @property
    def excluded(self) -> tuple[Clause, ...]:
        return tuple(clause for clause in self.clauses if clause.excluded)


@dataclass(frozen=True)
class _Token:
    term: Term | None  # None for the OR operator
    excluded: bool = False


def _has_word(text: str) -> bool:
    return any(character.isalnum() for character in text)


def _tokens(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    position, length = 0, len(source)
    while position < length:
        character = source[position]
        if character.isspace():
            position += 1
            continue
        excluded = False
        if character == "-" and position + 1 < length and not source[position + 1].isspace():
            excluded = True
            position += 1
            character = source[position]
        if character == '"':
            end = source.find('"', position + 1)
            if end < 0:
                raise Invalid(_('A quote is not closed: add the closing ".'), field="q")
            text = source[position + 1 : end]
            position = end + 1
            if _has_word(text):
                tokens.append(_Token(Term(text, phrase=True), excluded))
            continue
        end = position
        while end < length and not source[end].isspace() and source[end] != '"':
            end += 1
        word = source[position:end]
        position = end
        if word == OR and not excluded:
            tokens.append(_Token(None))
            continue
        prefix = word.endswith("*")
        stem = word.rstrip("*")
        if prefix and _has_word(stem):
            if sum(character.isalnum() for character in stem) < MIN_PREFIX_CHARS:
                raise Invalid(
                    _("Put at least two letters before a *."),
                    field="q",
                )
            tokens.append(_Token(Term(stem, prefix=True), excluded))
        elif _has_word(stem):
            tokens.append(_Token(Term(stem), excluded))
    return tokens


def parse(source: str) -> ParsedQuery:
    """The clauses of a query; Invalid (with a reason a person reads) when it breaks a rule."""
    if len(source) > MAX_QUERY_CHARS:
        raise Invalid(
            _("A search is at most %(count)d characters long.") % {"count": MAX_QUERY_CHARS},
            field="q",
        )
    clauses: list[Clause] = []
    pending_or = False
    for token in _tokens(source):
        if token.term is None:
            pending_or = bool(clauses) and not clauses[-1].excluded
            continue
        if pending_or and not token.excluded:
            last = clauses.pop()
            clauses.append(Clause((*last.alternatives, token.term)))
        else:
            clauses.append(Clause((token.term,), excluded=token.excluded))
        pending_or = False
    if sum(len(clause.alternatives) for clause in clauses) > MAX_TERMS:
        raise Invalid(
            _("A search has at most %(count)d words and phrases.") % {"count": MAX_TERMS},
            field="q",
        )
    parsed = ParsedQuery(tuple(clauses))
    if not parsed.required:
        raise Invalid(_('Say what to look for: a word, a "phrase" or a prefix*.'), field="q")
    return parsed
