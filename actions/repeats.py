"""Recurring findings: score how much a new finding says the same as earlier ones (rapidfuzz).

Both texts are reduced to their content words, each cut to its first six letters so that
"investigates", "investigation" and "investigations" agree, then compared with rapidfuzz's
token-set ratio (0-100), which ignores word order and extra words on one side.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from rapidfuzz import fuzz, process

STEM_LETTERS = 6
# Words every finding uses ("The force should ensure ...") say nothing about what it is about.
STOP_WORDS = frozenset(
    [
        "a",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "by",
        "can",
        "constabulary",
        "does",
        "doesn",
        "for",
        "force",
        "forces",
        "from",
        "get",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "make",
        "more",
        "most",
        "must",
        "need",
        "needs",
        "of",
        "on",
        "or",
        "other",
        "should",
        "so",
        "sure",
        "than",
        "that",
        "the",
        "their",
        "them",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "was",
        "were",
        "which",
        "will",
        "with",
        "ensure",
        "improve",
    ]
)


def normalise(text):
    words = re.findall(r"[a-z]+", (text or "").lower())
    return " ".join(word[:STEM_LETTERS] for word in words if word not in STOP_WORDS)


def similarity(text, other):
    """0-100: how much the two findings say the same thing."""
    return round(fuzz.token_set_ratio(normalise(text), normalise(other)))


@dataclass(frozen=True)
class Suggestion:
    finding_id: int
    score: int


def suggest(texts, candidates, *, threshold=None, limit=5):
    """For each text, the candidates (finding id, text) scoring at least `threshold`, best first.

    One rapidfuzz matrix for all pairs, so a force's whole history is scored in one pass.
    """
    threshold = settings.REPEAT_SUGGESTION_THRESHOLD if threshold is None else threshold
    candidates = list(candidates)
    if not texts or not candidates:
        return [[] for _ in texts]
    scores = process.cdist(
        [normalise(text) for text in texts],
        [normalise(text) for _, text in candidates],
        scorer=fuzz.token_set_ratio,
    )
    results = []
    for row in scores:
        ranked = sorted(
            (
                Suggestion(candidates[col][0], round(float(score)))
                for col, score in enumerate(row)
                if score >= threshold
            ),
            key=lambda suggestion: -suggestion.score,
        )
        results.append(ranked[:limit])
    return results
