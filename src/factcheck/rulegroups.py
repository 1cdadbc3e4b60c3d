"""The one composer of named rule groups, shared by the cleaning rules
(``factcheck.clean.rules``) and the claim rules (``factcheck.claims.rules``): rules are named
data (tuples of regular-expression fragments), composed here into one alternation. Imports
nothing, so that either stage can use it without loading the other."""

from __future__ import annotations


def alternatives(name: str, patterns: tuple[str, ...]) -> str:
    """A named group's patterns as one alternation; refuses an empty group (an empty
    alternation would match everywhere)."""
    if not patterns:
        raise ValueError(f"rule group {name!r} is empty: add at least one pattern")
    return "|".join(f"(?:{p})" for p in patterns)
