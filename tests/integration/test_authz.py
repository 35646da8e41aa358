"""The core checks who asks: every write is in pdcore.authz's registry, and the rules hold;
coaching notes stay between coach and teacher.

The refusal tests are derived from the registry, so a new write operation is covered by them
(or fails the first test) without anyone remembering to add it here.
"""

from __future__ import annotations

import ast
import inspect
import pkgutil
import re
from datetime import date
from pathlib import Path

import pytest

import pdcore
from pdcore import (
    authz,
    clock,
    coaching,
    cohorts,
    db,
    followups,
    growth,
    help_requests,
    notices,
    roster,
    watchlist,
)
from pdcore.model import PermissionDenied, Role, ValidationError
from tests.conftest import ROOT


def _pdcore_functions():
    """(qualified name, function) for every public function defined in a pdcore module."""
    for info in pkgutil.walk_packages(pdcore.__path__, "pdcore."):
        machinery = ("pdcore.db", "pdcore.postgres", "pdcore.__main__")
        if info.name in machinery or info.name.startswith("pdcore.ui"):
            continue  # db (and its PostgreSQL seam) is the transaction machinery; ui a caller
        module = __import__(info.name, fromlist=["_"])
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == info.name and not name.startswith("_"):
                yield f"{info.name}.{name}", fn


def _calls_a_registered_write(module: str, source: str) -> bool:
    for name in authz.REGISTRY:
        owner, func = name.rsplit(".", 1)
        short = owner.removeprefix("pdcore.")
        if f"{short}.{func}(" in source:
            return True
        if owner == module and re.search(rf"(?<![\w.]){func}\(", source.split(":", 1)[1]):
            return True
    return False


def test_every_public_write_in_pdcore_has_a_rule():
    """A public function that opens a transaction, or calls a registered write, is itself
    registered (or declared unguarded, with its reason)."""
    writes = []
    for name, fn in _pdcore_functions():
        source = inspect.getsource(inspect.unwrap(fn))
        module = name.rsplit(".", 1)[0]
        opens = "transaction(" in source or "WRITE_LOCK" in source
        command = name.split(".")[-1].startswith("cmd_")  # acts as the command line, by name
        if opens or (_calls_a_registered_write(module, source) and not command):
            writes.append(name)
    missing = [n for n in writes if n not in authz.REGISTRY and n not in authz.UNGUARDED]
    assert not missing, f"writes without an @authz.write rule: {missing}"
    # The walk finds the writes we know of (so the criterion is not vacuous).
    assert {"pdcore.cohorts.join", "pdcore.settings.save", "pdcore.imports.sync_sheets"} <= set(
        writes
    )
    assert len(authz.REGISTRY) >= 45
    for op in authz.REGISTRY.values():
        assert list(inspect.signature(op.function).parameters)[:2] == ["con", "actor"], op.name


def test_only_command_line_commands_act_as_the_machine():
    """A function naming a system actor is a command (cmd_*), else it could hand any caller
    the machine's rights; the scheduler is the one exception, for the scheduled sync."""
    for info in pkgutil.walk_packages(pdcore.__path__, "pdcore."):
        if info.name in ("pdcore.authz", "pdcore.__main__"):
            continue
        path = Path(__import__(info.name, fromlist=["_"]).__file__)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                names = {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
                if names & {"COMMAND_LINE", "SYSTEM_ACTORS"}:
                    assert "cmd" in node.name, f"{info.name}.{node.name} acts as the command line"
                if "SCHEDULED_SYNC" in names:
                    assert info.name == "pdcore.ui.sync_schedule", f"{info.name}.{node.name}"


def test_pages_cannot_write_around_the_registry_or_act_as_the_machine():
    """Pages and pdcore.ui open no transaction and never name a system actor (only the
    scheduler names the scheduled sync), so every write they make goes through a rule."""
    files = [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "pdcore/ui").glob("*.py")]
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        for word in ("transaction(", "WRITE_LOCK", "COMMAND_LINE", "SYSTEM_ACTORS"):
            assert word not in text, f"{path.name} uses {word}"
        if path.name != "sync_schedule.py":
            assert "SCHEDULED_SYNC" not in text, path.name


# ---- a district of two schools ---------------------------------------------------------------


@pytest.fixture
def district(con, make):
    """North and South, each with teachers, a coach and an admin; a district admin; cohorts
    X and Y in North and Z in South, two members each."""
    slot = make.slots()[0]
    topic = make.topic("Web Tools")
    p = {"district admin": make.staff("District Admin", role="admin", school="")}
    for school in ("North", "South"):
        for n in range(1, 7):
            p[f"{school} teacher {n}"] = make.staff(f"{school} Teacher{n}", school=school)
        p[f"{school} coach"] = make.staff(f"{school} Coach", role="coach", school=school)
        p[f"{school} admin"] = make.staff(f"{school} Admin", role="admin", school=school)

    def cohort(name, first, second):
        cid = cohorts.start_cohort(
            con, p[first], topic_id=topic, name=name, slot_id=slot, goal="A shared goal"
        )
        cohorts.join(con, p[second], cid)
        return cid

    p["X"] = cohort("X", "North teacher 1", "North teacher 2")
    p["Y"] = cohort("Y", "North teacher 3", "North teacher 4")
    p["Z"] = cohort("Z", "South teacher 1", "South teacher 2")
    p["topic"], p["slot"] = topic, slot
    for who in ("North teacher 6", "South teacher 5"):  # each asks for help: a record of theirs
        p[f"{who}'s request"] = help_requests.ask(con, p[who], "expert", topic, "Please")
    for who, cohort_id in (("North teacher 6", None), ("South teacher 5", p["Z"])):
        # A meeting each logged: a record of theirs that only they (or an admin) may change.
        p[f"{who}'s meeting"] = con.execute(
            "INSERT INTO meetings (cohort_id, held_on, logged_by) VALUES (?, DATE '2026-11-10', ?) "
            "RETURNING id",
            [cohort_id or p["X"], p[who]],
        ).fetchone()[0]
    return p


def _call(con, op, actor, **values):
    """Call a registered write with `values` for the arguments its rule looks at and None
    for every other required one: the rule refuses before the body reads any of them."""
    params = list(inspect.signature(op.function).parameters.values())[2:]
    args = {
        q.name: values.get(q.name)
        for q in params
        if q.default is inspect.Parameter.empty or q.name in values
        if q.kind not in (q.VAR_KEYWORD, q.VAR_POSITIONAL)
    }
    return op.function(con, actor, **args)


def _audit_rows(con) -> int:
    return con.execute("SELECT count(*) FROM audit_log").fetchone()[0]


def _ops(kind):
    return [op for op in authz.REGISTRY.values() if _kind(op.rule) == kind]


def _kind(rule) -> str:
    if rule is authz.SELF:
        return "self"
    if rule.name.startswith("member of"):
        return "member"
    if rule.subject:
        return "person"
    return "school-wide"  # ADMIN, IMPORT, COACH, SYSTEM


def test_a_teacher_is_refused_every_admin_and_coach_operation(con, district):
    teacher = district["North teacher 5"]
    name = "North teacher 6"
    colleague = district[name]
    ops = _ops("school-wide") + _ops("person")
    names = {op.name for op in ops}
    assert {
        "pdcore.settings.save",
        "pdcore.formation.apply",
        "pdcore.imports.import_files",
        "pdcore.topics.merge",
        "pdcore.coaching.add_plc_note",
        "pdcore.sessions.publish",
        "pdcore.cohorts.join",
        "pdcore.coaching.log_session",
        "pdcore.followups.log",
        "pdcore.help_requests.resolve",
    } <= names
    before = _audit_rows(con)
    for op in ops:
        with pytest.raises(PermissionDenied):
            _call(
                con,
                op,
                teacher,
                staff_id=colleague,
                request_id=district[f"{name}'s request"],
                meeting_id=district[f"{name}'s meeting"],
            )
    assert _audit_rows(con) == before  # nothing was written


def test_a_coach_or_admin_of_one_school_is_refused_the_other_schools_cases(con, district):
    south_teacher = district["South teacher 5"]
    south_request = district["South teacher 5's request"]
    before = _audit_rows(con)
    for who in ("North coach", "North admin"):
        actor = district[who]
        role = Role.COACH if who.endswith("coach") else Role.ADMIN
        ops = [op for op in _ops("person") if role in op.rule.roles]
        assert ops and ("pdcore.cohorts.join" in {op.name for op in ops})
        for op in ops:
            with pytest.raises(PermissionDenied, match="another school"):
                _call(
                    con,
                    op,
                    actor,
                    staff_id=south_teacher,
                    request_id=south_request,
                    meeting_id=district["South teacher 5's meeting"],
                )
    assert _audit_rows(con) == before


def test_a_school_admin_is_refused_what_changes_every_school(con, district):
    """Settings, topics, imports and formation are install-wide: in a district only an
    admin with no school (the district's) may change them."""
    ops = [op for op in _ops("school-wide") if Role.ADMIN in op.rule.roles]
    ops = [op for op in ops if op.rule is not authz.COACH]
    assert "pdcore.settings.save" in {op.name for op in ops}
    for op in ops:
        with pytest.raises(PermissionDenied, match="district admin"):
            _call(con, op, district["North admin"])
    district_admin = authz.resolve(con, district["district admin"])
    for op in ops:
        op.rule.check(con, district_admin, {})  # the rule lets the district admin through


def test_a_member_of_one_cohort_is_refused_another_cohorts_records(con, district):
    member_of_x = district["North teacher 1"]
    ops = _ops("member")
    assert {"pdcore.meetings.log_meeting", "pdcore.cohorts.leave", "pdcore.cohorts.split"} <= {
        op.name for op in ops
    }
    before = _audit_rows(con)
    for op in ops:
        for other in ("Y", "Z"):
            with pytest.raises(PermissionDenied, match="current members"):
                _call(con, op, member_of_x, cohort_id=district[other])
    assert _audit_rows(con) == before


def test_someone_off_the_roster_is_refused_everything(con, district):
    with con.cursor() as cur:
        cur.execute("UPDATE staff SET active = false WHERE id = ?", [district["North admin"]])
    for op in authz.REGISTRY.values():
        for actor in (district["North admin"], 9999, None):
            with pytest.raises(PermissionDenied, match="active roster"):
                _call(con, op, actor)


def test_the_machine_acts_for_no_one_and_the_scheduled_sync_only_imports(con, district):
    for op in _ops("self"):
        with pytest.raises(PermissionDenied, match="acts for no one"):
            _call(con, op, authz.COMMAND_LINE)
    for op in authz.REGISTRY.values():
        if op.rule is not authz.IMPORT:
            with pytest.raises(PermissionDenied, match="only import"):
                _call(con, op, authz.SCHEDULED_SYNC, staff_id=district["North teacher 5"])
    # The command line is the machine's owner: a district admin for school-wide work.
    authz.ADMIN.check(con, authz.COMMAND_LINE, {})


def test_joins_across_schools_are_refused(con, district):
    with pytest.raises(PermissionDenied, match="same school"):
        cohorts.join(con, district["North teacher 5"], district["Z"])
    with pytest.raises(PermissionDenied, match="same school"):
        cohorts.join(
            con, district["district admin"], district["Z"], staff_id=district["North teacher 5"]
        )
    assert cohorts.current_cohort(con, district["North teacher 5"]) is None


# ---- the audit log names the actor and the person acted on; the person is told ---------------


def test_an_admin_placement_records_the_admin_and_tells_the_person_on_home(con, district):
    admin, teacher = district["North admin"], district["North teacher 5"]
    cohorts.join(con, admin, district["X"], staff_id=teacher)
    row = con.execute(
        "SELECT actor_id, subject_staff_id FROM audit_log WHERE action = 'cohort.placed'"
    ).fetchall()
    assert row == [(admin, teacher)]
    joined = con.execute(
        "SELECT actor_id, subject_staff_id FROM audit_log WHERE action = 'cohort.joined'"
    ).fetchall()
    assert (district["North teacher 2"], None) in joined  # joining yourself has no subject

    [notice] = notices.unread(con, teacher)
    assert notice.text == "North Admin placed you in the cohort X."
    with pytest.raises(PermissionDenied):
        notices.dismiss(con, admin, notice.id)
    notices.dismiss(con, teacher, notice.id)
    assert notices.unread(con, teacher) == []


# ---- nobody is moved without saying yes ------------------------------------------------------


@pytest.fixture
def four(con, district):
    """Cohort X with four North members: teachers 1, 2, 5 and 6."""
    for n in (5, 6):
        cohorts.join(con, district[f"North teacher {n}"], district["X"])
    return {n: district[f"North teacher {n}"] for n in (1, 2, 5, 6)}, district["X"]


def test_a_split_moves_only_those_who_say_yes_and_tells_everyone(con, four):
    t, x = four
    asked = cohorts.split(con, t[1], x, [t[1], t[2], t[5]], name="X two")
    assert asked.new_cohort_id is None and set(asked.waiting_for) == {
        "North Teacher2",
        "North Teacher5",
    }
    assert set(cohorts.get(con, x).member_ids) == set(t.values())  # nobody moved yet
    for n in (2, 5):
        [question] = cohorts.questions_for(con, t[n])
        assert question.proposer == "North Teacher1" and question.name == "X two"
        assert (
            "proposes that you move from X to a new cohort, X two"
            in notices.unread(con, t[n])[0].text
        )
    assert cohorts.questions_for(con, t[6]) == []  # not named, not asked
    with pytest.raises(PermissionDenied, match="does not name you"):
        cohorts.answer_split(con, t[6], asked.proposal_id, accept=True)
    with pytest.raises(ValidationError, match="already waiting"):
        cohorts.split(con, t[6], x, [t[6], t[1]], name="Another")

    cohorts.answer_split(con, t[2], asked.proposal_id, accept=True)
    assert cohorts.get(con, x).size == 4  # still waiting for teacher 5
    done = cohorts.answer_split(con, t[5], asked.proposal_id, accept=False)
    new = cohorts.get(con, done.new_cohort_id)
    assert new.name == "X two" and set(new.member_ids) == {t[1], t[2]}
    assert set(cohorts.get(con, x).member_ids) == {t[5], t[6]}
    assert notices.unread(con, t[1])[0].text == (
        "Your proposal to start X two: North Teacher2 moved. North Teacher5 chose to stay."
    )
    # The move is the proposer's act on the person moved; each yes and no is the answerer's.
    moves = con.execute(
        "SELECT actor_id, subject_staff_id FROM audit_log WHERE action = 'cohort.split' "
        "AND entity_id = ? ORDER BY id",
        [new.id],
    ).fetchall()
    assert moves == [(t[1], None), (t[1], t[2])]
    answers = con.execute(
        "SELECT action, actor_id FROM audit_log WHERE entity = 'split_proposal' ORDER BY id"
    ).fetchall()
    assert answers == [("cohort.split_accept", t[2]), ("cohort.split_decline", t[5])]


def test_when_everyone_named_says_no_nobody_moves(con, four):
    t, x = four
    asked = cohorts.split(con, t[1], x, [t[1], t[2]], name="X two")
    outcome = cohorts.answer_split(con, t[2], asked.proposal_id, accept=False)
    assert outcome.new_cohort_id is None
    assert cohorts.get(con, x).size == 4 and len(cohorts.active_cohorts(con)) == 3
    assert notices.unread(con, t[1])[0].text == (
        "Your proposal to start X two: nobody else moved. North Teacher2 chose to stay."
    )
    with pytest.raises(ValidationError, match="already answered"):
        cohorts.answer_split(con, t[2], asked.proposal_id, accept=True)


def test_a_member_can_always_move_alone_and_leaving_answers_no(con, four):
    t, x = four
    alone = cohorts.split(con, t[6], x, [t[6]], name="Just me")
    assert alone.proposal_id is None
    assert cohorts.get(con, alone.new_cohort_id).member_ids == (t[6],)
    asked = cohorts.split(con, t[1], x, [t[2], t[5]], name="Them")
    cohorts.answer_split(con, t[2], asked.proposal_id, accept=True)
    cohorts.leave(con, t[5], x)  # leaving the cohort declines the question
    assert cohorts.questions_for(con, t[5]) == []
    assert set(cohorts.current_cohort(con, t[2]).member_ids) == {t[2]}
    assert cohorts.current_cohort(con, t[1]).id == x


# ---- coaching stays between coach and teacher ------------------------------------------------


@pytest.fixture
def coached(con, district):
    """North teacher 5, claimed by the North coach, with one session and one follow-up."""
    teacher, coach = district["North teacher 5"], district["North coach"]
    with clock.frozen(date(2027, 1, 20)):
        coaching.claim(con, coach, teacher)
        coaching.log_session(
            con, coach, teacher, date(2027, 1, 18), 45, "Feedback on lab reports", "Try rubric"
        )
        followups.log(con, coach, teacher, date(2027, 1, 19), "Seemed tired", "Check in Friday")
    return district


def test_session_and_follow_up_notes_are_for_the_teacher_and_their_coaches(con, coached):
    teacher = roster.by_id(con, coached["North teacher 5"])
    coach = roster.by_id(con, coached["North coach"])
    for reader in (teacher, coach):
        held = coaching.sessions_for(con, reader.id, teacher.id)
        assert held["focus"].tolist() == ["Feedback on lab reports"]
        assert followups.history(con, reader, teacher.id)["note"].tolist() == ["Seemed tired"]

    # Admins (the school's and the district's) see the activity, never the words.
    for who in ("North admin", "district admin"):
        admin = roster.by_id(con, coached[who])
        held = coaching.sessions_for(con, admin.id, teacher.id)
        assert list(held.columns) == ["held_on", "coach", "minutes"] and len(held) == 1
        contacts = followups.history(con, admin, teacher.id)
        assert list(contacts.columns) == ["contacted_on", "coach", "resolved"]
        assert len(contacts) == 1
    # A coach of the school who is not involved sees that someone followed up, not what.
    other = roster.by_id(con, _another_coach(con, "North"))
    assert "note" not in followups.history(con, other, teacher.id)
    with pytest.raises(PermissionDenied):  # and the teacher's plan and sessions are not theirs
        coaching.sessions_for(con, other.id, teacher.id)
    with pytest.raises(PermissionDenied, match="own school"):
        followups.history(con, roster.by_id(con, coached["South coach"]), teacher.id)


def _another_coach(con, school):
    with db.transaction(con) as cur:
        return cur.execute(
            "INSERT INTO staff (email, name, role, school) VALUES (?, ?, 'coach', ?) RETURNING id",
            [f"second.coach@{school.lower()}.test", f"{school} Coach2", school],
        ).fetchone()[0]


def test_a_coachs_watchlist_is_their_own_school(con, coached):
    with clock.frozen(date(2027, 1, 20)):
        whole = watchlist.watchlist_frame(con)
    assert set(whole["school"]) == {"North", "South"}
    coach = roster.by_id(con, coached["North coach"])
    mine = watchlist.for_viewer(whole, coach)
    assert len(mine) and set(mine["school"]) == {"North"}
    theirs = mine.set_index("staff_id").loc[coached["North teacher 5"]]
    assert theirs["next_step"] == "Check in Friday"  # their own case: they read it

    admin = roster.by_id(con, coached["North admin"])
    seen = watchlist.for_viewer(whole, admin).set_index("staff_id")
    assert set(seen["school"]) == {"North"}
    assert seen.loc[coached["North teacher 5"], "next_step"] == watchlist.PRIVATE_STEP
    everyone = watchlist.for_viewer(whole, roster.by_id(con, coached["district admin"]))
    assert len(everyone) == len(whole)
    with pytest.raises(PermissionDenied):
        watchlist.for_viewer(whole, roster.by_id(con, coached["North teacher 6"]))
    caseload = watchlist.caseload_frame(con, watch=whole)
    assert watchlist.coaches_for(caseload, coach)["coach"].tolist() == ["North Coach"]


def test_an_admin_sees_the_growth_plans_of_their_own_school(con, district):
    for who in ("North teacher 5", "South teacher 5"):
        growth.save_plan(con, district[who], "Feedback that lands", [("Try it", "Notes")])
    north = growth.plans_frame(con, district["North admin"])
    assert north["name"].tolist() == ["North Teacher5"]
    assert len(growth.plans_frame(con, district["district admin"])) == 2
    assert not growth.may_view(con, district["North admin"], district["South teacher 5"])
