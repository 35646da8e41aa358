"""Topics: write-in grouping, and the admin's offer, retire and merge decisions."""

import json

import pytest

from pdcore import authz, db, settings, topics
from pdcore.model import ValidationError


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("PBL", "Project Based Learning"),
        ("project-based learning ", "Project Based Learning"),
        ("  project   BASED-learning", "pbl"),
        ("Co-teaching", "co teaching"),
        ("AI in the classroom", "Artificial Intelligence in the Classroom"),
        (
            "Student Centered Classrooms & Genius Hour",
            "student-centered classrooms and genius hour",
        ),
        ("SBG", "Standards-Based Grading"),
    ],
)
def test_names_that_mean_the_same_normalise_the_same(a, b):
    assert topics.normalize_name(a) == topics.normalize_name(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Web Tools", "Writing"),
        ("Google Certification Level 1", "Google Certification Level 2"),
        ("PBL", "Problem solving"),
        ("Aim high", "AI"),  # an abbreviation only counts as a whole word
    ],
)
def test_different_topics_stay_apart(a, b):
    assert topics.normalize_name(a) != topics.normalize_name(b)


def _answer(con, staff_id, *topic_ids):
    with db.transaction(con) as cur:
        cur.execute(
            "INSERT INTO survey_responses (staff_id, submitted_at) VALUES (?, '2026-09-01')",
            [staff_id],
        )
        for rank, tid in enumerate(topic_ids, start=1):
            cur.execute("INSERT INTO interests VALUES (?, ?, ?)", [staff_id, rank, tid])


def _write_in(con, name):
    with db.transaction(con) as cur:
        return cur.execute(
            "INSERT INTO topics (name, is_write_in) VALUES (?, TRUE) RETURNING id", [name]
        ).fetchone()[0]


def _ranks(con, staff_id):
    return [
        r[0]
        for r in con.execute(
            "SELECT topic_id FROM interests WHERE staff_id = ? ORDER BY rank", [staff_id]
        ).fetchall()
    ]


def test_write_ins_are_suggested_for_merging_into_the_schools_topic(con, make):
    pbl = make.topic("Project Based Learning")
    short = _write_in(con, "PBL")
    spaced = _write_in(con, "project-based learning ")
    alone = _write_in(con, "Restorative Practices")
    for tid in (pbl, short, spaced, alone):
        _answer(con, make.staff(), tid)
    suggestions = topics.merge_suggestions(con)
    assert len(suggestions) == 1
    s = suggestions[0]
    assert (s.target_id, s.target_name) == (pbl, "Project Based Learning")
    assert set(s.source_ids) == {short, spaced} and alone not in s.source_ids
    assert s.people == 3
    assert s.moving == 2  # the two write-in answers would count for Project Based Learning


def test_two_write_ins_alike_merge_into_the_more_wanted_one(con, make):
    a = _write_in(con, "Co-teaching")
    b = _write_in(con, "co teaching")
    _answer(con, make.staff(), b)
    [s] = topics.merge_suggestions(con)
    assert s.target_id == b and s.source_ids == (a,)


def test_a_merge_moves_choices_keeping_the_best_rank_once(con, make):
    pbl = make.topic("Project Based Learning")
    web = make.topic("Web Tools")
    short = _write_in(con, "PBL")
    both = make.staff("Both")
    _answer(con, both, web, short, pbl)  # ranked the write-in above the school's topic
    one = make.staff("One")
    _answer(con, one, short)
    other = make.staff("Other")
    _answer(con, other, web)
    moved = topics.merge(con, authz.COMMAND_LINE, [short], pbl)
    assert moved == 2
    assert _ranks(con, both) == [web, pbl]  # ranks closed up, one PBL at its best rank
    assert _ranks(con, one) == [pbl]
    assert _ranks(con, other) == [web]
    listed = {t.name: t for t in topics.topic_list(con)}
    assert "PBL" not in listed and listed["Project Based Learning"].any_rank == 2
    assert topics.merge_suggestions(con) == []


def test_a_merge_moves_cohorts_and_requests_and_is_audited(con, make):
    target = make.topic("Project Based Learning")
    source = _write_in(con, "PBL")
    earlier = _write_in(con, "P.B.L.")
    with db.transaction(con) as cur:
        cur.execute("UPDATE topics SET merged_into = ? WHERE id = ?", [source, earlier])
    cohort = make.cohort(source, [make.staff()])
    asker = make.staff()
    with db.transaction(con) as cur:
        cur.execute(
            "INSERT INTO help_requests (staff_id, kind, topic_id) VALUES (?, 'place_me', ?)",
            [asker, source],
        )
    admin = make.staff("Admin", role="admin")
    topics.merge(con, admin, [source], target)
    assert (
        con.execute("SELECT topic_id FROM cohorts WHERE id = ?", [cohort]).fetchone()[0] == target
    )
    assert con.execute("SELECT topic_id FROM help_requests").fetchone()[0] == target
    merged = dict(
        con.execute("SELECT id, merged_into FROM topics WHERE merged_into IS NOT NULL").fetchall()
    )
    assert merged == {source: target, earlier: target}  # chains stay one step long
    actor, action, detail = con.execute(
        "SELECT actor_id, action, detail FROM audit_log WHERE action = 'topic.merge'"
    ).fetchone()
    assert actor == admin and json.loads(detail)["merged"] == ["PBL"]


def test_a_bad_merge_changes_nothing(con, make):
    target = make.topic("Keep")
    source = _write_in(con, "Fold")
    _answer(con, make.staff(), source)
    with pytest.raises(ValidationError, match="at least one"):
        topics.merge(con, authz.COMMAND_LINE, [target], target)
    with pytest.raises(ValidationError, match="no longer exists"):
        topics.merge(con, authz.COMMAND_LINE, [source], 9999)
    topics.merge(con, authz.COMMAND_LINE, [source], target)
    with pytest.raises(ValidationError, match="already merged"):
        topics.merge(con, authz.COMMAND_LINE, [source], target)
    assert (
        con.execute("SELECT count(*) FROM audit_log WHERE action = 'topic.merge'").fetchone()[0]
        == 1
    )


def test_offer_retire_and_reopen_follow_the_offered_rule(con, make):
    settings.save(con, authz.COMMAND_LINE, offer_threshold=2)
    tid = make.topic("Beyond the Grade", status="proposed")
    _answer(con, make.staff(), tid)
    info = lambda: next(t for t in topics.topic_list(con, include_retired=True) if t.id == tid)  # noqa: E731
    assert not info().is_offered  # one first choice, under the threshold of two
    topics.offer(con, authz.COMMAND_LINE, tid)
    assert info().is_offered and info().status == "offered"
    make.cohort(tid, [make.staff()])
    assert topics.retire(con, authz.COMMAND_LINE, tid) == 1  # the running cohort carries on
    assert not info().is_offered
    assert tid not in {t.id for t in topics.topic_list(con)}
    topics.set_status(con, authz.COMMAND_LINE, tid, "proposed")
    _answer(con, make.staff(), tid)
    assert info().is_offered  # back to the rule: two first choices now
    actions = [
        r[0] for r in con.execute("SELECT action FROM audit_log WHERE entity = 'topic'").fetchall()
    ]
    assert actions == ["topic.offer", "topic.retire", "topic.reopen"]
    with pytest.raises(ValidationError):
        topics.set_status(con, authz.COMMAND_LINE, tid, "deleted")


def test_demand_on_the_demo_school_groups_its_write_ins(demo_con):
    frame = topics.demand_frame(demo_con)
    assert {"PBL", "project-based learning "} <= set(frame["topic"])
    [s] = [
        x for x in topics.merge_suggestions(demo_con) if x.target_name == "Project Based Learning"
    ]
    topics.merge(demo_con, authz.COMMAND_LINE, s.source_ids, s.target_id)
    after = topics.demand_frame(demo_con).set_index("topic")
    assert "PBL" not in after.index
    before = frame.set_index("topic")
    assert after.loc["Project Based Learning", "any_rank"] <= (
        before.loc["Project Based Learning", "any_rank"]
        + before.loc["PBL", "any_rank"]
        + before.loc["project-based learning ", "any_rank"]
    )
    assert (
        after.loc["Project Based Learning", "any_rank"]
        > before.loc["Project Based Learning", "any_rank"]
    )


def test_typed_names_resolve_ignoring_case_and_spaces_and_follow_merges(con, make):
    from pdcore import db, topics

    web = make.topic("Web Tools")
    pbl = make.topic("Project Based Learning")
    with db.transaction(con) as cur:
        written = topics.TopicResolver(cur).resolve("  PBL ")
    topics.merge(con, authz.COMMAND_LINE, [written], pbl)
    with db.transaction(con) as cur:
        names = topics.TopicResolver(cur)
        assert names.resolve("web  TOOLS") == web
        assert names.resolve("pbl") == pbl  # the write-in now means the topic it joined
        new = names.resolve("Restorative Practices")
        assert names.resolve("restorative practices") == new
        assert names.created == ["Restorative Practices"]
    status = con.execute("SELECT status, is_write_in FROM topics WHERE id = ?", [new]).fetchone()
    assert status == ("proposed", True)


def test_an_admin_undoes_a_merge_and_everything_comes_back(con, make):
    from pdcore import roster
    from pdcore.model import PermissionDenied

    pbl, web = make.topic("Project Based Learning"), make.topic("Web Tools")
    short = _write_in(con, "PBL")
    earlier = _write_in(con, "P.B.L.")
    with db.transaction(con) as cur:
        cur.execute("UPDATE topics SET merged_into = ? WHERE id = ?", [short, earlier])
    both, one, later = make.staff("Both"), make.staff("One"), make.staff("Later")
    _answer(con, both, web, short, pbl)
    _answer(con, one, short)
    _answer(con, later, short)
    cohort = make.cohort(short, [make.staff()])
    admin = roster.by_id(con, make.staff("Admin", role="admin"))
    teacher = roster.by_id(con, both)
    topics.merge(con, admin, [short], pbl)
    with db.transaction(con) as cur:  # answers again after the merge: that answer stands
        cur.execute("UPDATE interests SET topic_id = ? WHERE staff_id = ?", [web, later])
    with pytest.raises(PermissionDenied):
        topics.undo_merge(con, teacher, pbl)
    assert topics.undo_merge(con, admin, pbl) == ["PBL"]
    assert _ranks(con, both) == [web, short, pbl] and _ranks(con, one) == [short]
    assert _ranks(con, later) == [web]
    assert con.execute("SELECT topic_id FROM cohorts WHERE id = ?", [cohort]).fetchone() == (short,)
    merged = dict(
        con.execute("SELECT id, merged_into FROM topics WHERE merged_into IS NOT NULL").fetchall()
    )
    assert merged == {earlier: short}
    with pytest.raises(ValidationError, match="no merge into this topic left to undo"):
        topics.undo_merge(con, admin, pbl)
