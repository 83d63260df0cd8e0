"""The reproduction report: the paper's claims beside sigdem's numbers with CIs and computed verdicts
(:mod:`.claims`), figures, a Markdown and a self-contained HTML report with provenance (:mod:`.render`),
and ``sigdem reproduce`` (:mod:`.reproduce`, :mod:`.cli`)."""
