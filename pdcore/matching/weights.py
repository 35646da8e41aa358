"""The objective's weights, in the order of the model's wants (see the package docstring).

One place for them: the engine's incremental scores, :func:`~pdcore.matching.objective.cohort_score`
(the benchmark's exact optimum) and the one-teacher ranking all read these.
"""

# A placed person is worth far more than any preference, and a first choice more than a
# named colleague. Named colleagues and WHO members free at the slot were raised in issue 13
# (from 20 and 4) after the generator family showed both too weak on schools the engine had
# not seen; the frontier in benchmarks/MATCHING.md shows what each costs.
# A step down to a topic a named colleague chose first costs W_RANK_TOGETHER (one request's
# weight, so a one-way request alone never pulls anyone off their first choice) instead of
# W_RANK: half the requests the family broke were across first choices, and one step there
# is worth a kept pair; other steps cost more (90 from 60) so first choices hold elsewhere.
W_PLACE = 1000.0  # per person placed
W_RANK = 90.0  # per step down the person's ranked choices (60 before issue 13b)
W_RANK_TOGETHER = 30.0  # per step, to a topic a named colleague (either way) chose first
W_NAMED = 30.0  # per named-colleague request honoured (each direction counts)
W_MUTUAL = 15.0  # extra when two people named each other
W_DEPT = 18.0  # per department preference honoured
W_AVAIL = 30.0  # per WHO-priority member free at the cohort's slot (they cannot come else)
W_SIZE = 60.0  # a cohort one person outside the ideal range (30 before issue 13)
W_SIZE_STEP = 10.0  # each further person outside it
W_EXISTING = 5.0  # per seat filled in an existing cohort (fill those first)
