"""Research tools of the project, not shipped with factcheck: the training of the claim and
stance models and the readers of their labelled data, the evaluation helpers of the cleaning
benchmarks. They run from a checkout (``python -m research.claims_train``,
``python -m research.stance_train``), import the package like any user would, and are tested
(``tests/``). The runtime package ``src/factcheck`` never imports them."""
