"""Stage 4: PubMed evidence per claim: retrieval, stance reading, grading, verdicts, flags."""
