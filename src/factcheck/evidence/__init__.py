"""Stage 4: PubMed evidence per claim: retrieval, stance reading, grading, verdicts, flags."""

from .grading import DESIGN_LABEL, design_label
from .verdict import FLAGS, LABELS

# What other stages may use of this one (an import contract, pyproject.toml, keeps them to it).
__all__ = ["DESIGN_LABEL", "FLAGS", "LABELS", "design_label"]
