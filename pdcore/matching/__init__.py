"""Cohort formation: ranked cohorts for one teacher, and cohorts for everyone still unplaced.

Pure logic (issue 4): plain dataclasses in, plain dataclasses out. No database, no Streamlit,
no solver; standard library only, so it can be tested and benchmarked on its own.

The model
---------
Hard rules, which no output of :func:`form_cohorts` ever breaks:

* a new cohort has between ``min_size`` (at least 2) and ``max_size`` members; an existing
  cohort is never broken up and never grows past ``max_size``;
* a person is in at most one cohort; individual-project people are never grouped;
* every WHEN-priority member is free at the cohort's meeting slot (a cohort without a slot
  takes no WHEN-priority joiners);
* a cohort's members all belong to one school;
* new cohorts are formed only on offered topics (offered by an admin, or proposed and chosen
  first by at least ``offer_threshold`` people in that school); a person joins only a cohort
  on one of their own choices, and never one on a retired topic;
* two people an admin said must never be together (``apart``) never share a cohort.

Wanted, in this order, as a weighted objective (the ``W_*`` weights in ``weights``): place everyone
who can be placed; keep people on their first choice where they can be grouped there (a step
down to a topic a named colleague put first costs less: it can keep the two together); keep
named colleagues together (mutual requests weigh more); honour department preferences; seat
WHO-priority members at a slot they are free; keep sizes inside the ideal range.

Department preference, as measured here: "same" is honoured when at least half of the
other members are from the person's department, "mix" when at least half of the others are
from other departments (see :func:`dept_preference_met`).

How :func:`form_cohorts` works, per school: first as if everyone who gave times needed them
(a WHO-priority person not free at the meeting time cannot come either), choose a topic for
everyone (first choice, or the next one when the first is not offered or no one there could
be grouped with them); per topic, fill the open seats of existing cohorts, then join named colleagues into units
(union-find), bucket the units by meeting slot (greedy cover: the slot most WHEN-priority
people share first, then departments where someone wants "same" consolidated) and split
each bucket into balanced cohorts of ideal size (13 -> 5 + 4 + 4) seeded with department
cores. A local search then improves the objective without ever breaking a hard rule: moves,
swaps, slot changes, dissolving or growing small cohorts, splitting big ones, and for unmet
department preferences recruit chains, double swaps and rebuilding three cohorts at a time;
named colleagues split across cohorts are reunited where it pays. A last pass seats anyone
left over until nothing more can be seated: into a cohort with room on one of their choices,
into a full one after moving a member to another with room, or into a new cohort with other
leftovers and people their cohorts can spare (never below the minimum size); a school with
at most ten people to place gets an exact search when anyone is left. What stops that pass
is what an unplaced person is told (``explain``). Everything is deterministic for the same
input and seed. Measured quality and speed:
``benchmarks/MATCHING.md``.

The package, one module per concept: ``model`` (types and small rules), ``weights`` and
``objective`` (what is wanted, scored whole or incrementally), ``ranking`` (cohorts for one
teacher), ``construction`` (first formation and last seating), ``search`` (local search),
``explain`` (the output and its reasons) and ``engine`` (:func:`form_cohorts`).
"""

from pdcore.matching.engine import form_cohorts
from pdcore.matching.explain import MemberFit, member_fit
from pdcore.matching.model import (
    Cohort,
    CohortFit,
    Formation,
    NewCohort,
    Person,
    Rules,
    Topic,
    Unplaced,
    dept_preference_met,
    offered_topic_ids,
)
from pdcore.matching.objective import cohort_score, formation_score
from pdcore.matching.ranking import join_score, rank_cohorts_for
from pdcore.matching.weights import (
    W_AVAIL,
    W_DEPT,
    W_EXISTING,
    W_MUTUAL,
    W_NAMED,
    W_PLACE,
    W_RANK,
    W_RANK_TOGETHER,
    W_SIZE,
    W_SIZE_STEP,
)

__all__ = [
    "W_AVAIL",
    "W_DEPT",
    "W_EXISTING",
    "W_MUTUAL",
    "W_NAMED",
    "W_PLACE",
    "W_RANK",
    "W_RANK_TOGETHER",
    "W_SIZE",
    "W_SIZE_STEP",
    "Cohort",
    "CohortFit",
    "Formation",
    "MemberFit",
    "NewCohort",
    "Person",
    "Rules",
    "Topic",
    "Unplaced",
    "cohort_score",
    "dept_preference_met",
    "form_cohorts",
    "formation_score",
    "join_score",
    "member_fit",
    "offered_topic_ids",
    "rank_cohorts_for",
]
