"""Growth plans, coaching and pathways on a real (in-memory) database."""

from datetime import date

import pytest

from pdcore import authz, coaching, db, growth, pathways, settings
from pdcore.model import PermissionDenied, ValidationError

TODAY = date(2027, 1, 20)
SCHOOL = "Trailblazer"


@pytest.fixture
def school(con, make):
    """A school in the 2026-27 season: two coaches, an admin, three teachers, one elsewhere."""
    settings.save(
        con, authz.COMMAND_LINE, season_start=date(2026, 11, 1), season_end=date(2027, 4, 30)
    )
    ids = {
        "maya": make.staff("Maya Coach", role="coach", school=SCHOOL),
        "luis": make.staff("Luis Coach", role="coach", school=SCHOOL),
        "dana": make.staff("Dana Admin", role="admin", school=SCHOOL),
        "ana": make.staff("Ana Teacher", school=SCHOOL),
        "ben": make.staff("Ben Teacher", school=SCHOOL),
        "cy": make.staff("Cy Teacher", school=SCHOOL),
        "far": make.staff("Far Coach", role="coach", school="Elsewhere"),
    }
    with db.transaction(con) as cur:
        cur.execute(
            "UPDATE staff SET coach_focus = ? WHERE id = ?",
            ["Blended learning and Google tools", ids["maya"]],
        )
        cur.execute(
            "UPDATE staff SET coach_focus = ? WHERE id = ?",
            ["Writing, literacy and intervention plans", ids["luis"]],
        )
    return ids


def plan(con, who, focus="Better feedback on writing", goals=(("Conference weekly", "Logs"),)):
    return growth.save_plan(con, who, focus, list(goals))


# ---- the school year and validators ---------------------------------------------------------


def test_school_year_runs_august_to_july_around_the_season():
    fall = settings.Settings(season_start=date(2026, 11, 1), season_end=date(2027, 4, 30))
    assert growth.school_year_bounds(fall) == (date(2026, 8, 1), date(2027, 7, 31))
    assert growth.school_year_label(fall) == "2026-27"
    spring = settings.Settings(season_start=date(2027, 1, 10), season_end=date(2027, 5, 30))
    assert growth.school_year_bounds(spring) == (date(2026, 8, 1), date(2027, 7, 31))


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "ftp://files.example.org/x", "www.example.org", "https://"]
)
def test_links_must_be_web_addresses(link):
    with pytest.raises(ValidationError, match="http:// or https://"):
        growth.clean_link(link)


def test_a_web_link_is_kept_trimmed():
    assert growth.clean_link("  https://example.org/a?b=1 ") == "https://example.org/a?b=1"


@pytest.mark.parametrize(
    ("minutes", "message"),
    [(-15, "more than 0"), (0, "more than 0"), (30.5, "whole number"), ("ten", "number"),
     (900, "at most")],
)  # fmt: skip
def test_minutes_get_clear_messages(minutes, message):
    with pytest.raises(ValidationError, match=message):
        growth.check_minutes(minutes)


# ---- the plan -------------------------------------------------------------------------------


def test_teacher_writes_a_plan_with_goals_and_reads_it_back(con, school, make):
    topic = make.topic("Writing and Literacy")
    growth.save_plan(
        con,
        school["ana"],
        "  Feedback on writing ",
        [("Conference with every student", "Conference log"), ("", ""), ("Rubric", "Scores")],
        topic_id=topic,
    )
    got = growth.plan_for(con, school["ana"], school["ana"])
    assert got.focus == "Feedback on writing"
    assert got.topic == "Writing and Literacy"
    assert got.school_year == "2026-27"
    assert [(g.position, g.goal, g.measure) for g in got.goals] == [
        (1, "Conference with every student", "Conference log"),
        (2, "Rubric", "Scores"),
    ]
    # Editing rewrites the goals (and keeps one plan for the year).
    growth.save_plan(con, school["ana"], "Feedback", [("Only one", "Yes")])
    again = growth.plan_for(con, school["ana"], school["ana"])
    assert again.id == got.id
    assert [g.goal for g in again.goals] == ["Only one"]


@pytest.mark.parametrize(
    ("focus", "goals", "message"),
    [
        ("", [("g", "m")], "focus is empty"),
        ("x" * 201, [("g", "m")], "under 200"),
        ("Focus", [("", "")], "at least one goal"),
        ("Focus", [("Goal", "")], "how you will know"),
        ("Focus", [("", "A measure")], "no goal"),
        ("Focus", [("a", "b")] * 4, "one to 3 goals"),
        ("Focus", [("g" * 501, "m")], "Goal 1 is 501 characters"),
    ],
)
def test_bad_plans_are_refused_with_what_to_change(con, school, focus, goals, message):
    with pytest.raises(ValidationError, match=message):
        growth.save_plan(con, school["ana"], focus, goals)
    assert growth.plan_for(con, school["ana"], school["ana"]) is None


def test_evidence_needs_a_plan_and_a_note_or_web_link(con, school):
    with pytest.raises(ValidationError, match="Write your growth plan first"):
        growth.add_evidence(con, school["ana"], "A note")
    plan(con, school["ana"])
    with pytest.raises(ValidationError, match="a note or paste a link"):
        growth.add_evidence(con, school["ana"], "  ", "")
    with pytest.raises(ValidationError, match="https://"):
        growth.add_evidence(con, school["ana"], "Video", "javascript:alert(1)")
    with pytest.raises(ValidationError, match="under 2,000"):
        growth.add_evidence(con, school["ana"], "n" * 2001)
    growth.add_evidence(con, school["ana"], "Recorded a conference", "https://video.example/1")
    evidence = growth.plan_for(con, school["ana"], school["ana"]).evidence
    assert [(e.note, e.link, e.source) for e in evidence] == [
        ("Recorded a conference", "https://video.example/1", "note")
    ]


def test_pathway_steps_done_appear_as_plan_evidence(con, school):
    pid = pathways.add_pathway(
        con,
        school["maya"],
        "Google Level 1",
        "https://skillshop.example/",
        "",
        ["Unit 1", "Unit 2"],
    )
    plan(con, school["ana"])
    steps = pathways.pathway_list(con, school["ana"])[0].steps
    pathways.mark_step(con, school["ana"], steps[1].id)
    listed = pathways.pathway_list(con, school["ana"])[0]
    assert (listed.id, listed.done, listed.total) == (pid, 1, 2)
    evidence = growth.plan_for(con, school["ana"], school["ana"]).evidence
    assert [(e.note, e.source) for e in evidence] == [
        ("Finished Unit 2 of Google Level 1 (pathway)", "pathway")
    ]
    pathways.mark_step(con, school["ana"], steps[1].id, done=False)
    assert growth.plan_for(con, school["ana"], school["ana"]).evidence == ()
    # Someone else's progress is theirs alone.
    assert pathways.pathway_list(con, school["ben"])[0].done == 0


def test_only_coaches_and_admins_list_pathways_with_web_links(con, school):
    with pytest.raises(PermissionDenied):
        pathways.add_pathway(con, school["ana"], "Mine", "https://x.example", "", ["a"])
    with pytest.raises(ValidationError, match="https://"):
        pathways.add_pathway(con, school["maya"], "Bad", "file:///etc/passwd", "", ["a"])
    with pytest.raises(ValidationError, match="at least one step"):
        pathways.add_pathway(con, school["maya"], "Empty", "", "", ["", " "])


def test_reflection_is_saved_and_must_say_something(con, school):
    plan(con, school["ana"])
    with pytest.raises(ValidationError, match="reflection is empty"):
        growth.save_reflection(con, school["ana"], "   ")
    with pytest.raises(ValidationError, match="under 5,000"):
        growth.save_reflection(con, school["ana"], "r" * 5001)
    growth.save_reflection(con, school["ana"], "I learned to listen first.")
    assert growth.plan_for(con, school["ana"], school["ana"]).reflection == (
        "I learned to listen first."
    )


# ---- privacy --------------------------------------------------------------------------------


def test_a_plan_is_seen_by_its_teacher_their_coach_and_admins_only(con, school):
    plan(con, school["ana"])
    assert growth.plan_for(con, school["dana"], school["ana"]) is not None
    with pytest.raises(PermissionDenied, match="private"):
        growth.plan_for(con, school["ben"], school["ana"])
    # Unassigned: every coach of the school may read it (to claim it); not another school's.
    assert growth.plan_for(con, school["luis"], school["ana"]) is not None
    with pytest.raises(PermissionDenied):
        growth.plan_for(con, school["far"], school["ana"])
    coaching.choose_coach(con, school["ana"], school["maya"])
    assert growth.plan_for(con, school["maya"], school["ana"]) is not None
    with pytest.raises(PermissionDenied):
        growth.plan_for(con, school["luis"], school["ana"])
    with pytest.raises(PermissionDenied):
        coaching.sessions_for(con, school["luis"], school["ana"])


def test_plan_lists_follow_the_same_rules(con, school):
    for who in ("ana", "ben", "cy"):
        plan(con, school[who])
    coaching.choose_coach(con, school["ana"], school["maya"])
    coaching.choose_coach(con, school["ben"], school["luis"])

    def names(viewer):
        return sorted(growth.plans_frame(con, school[viewer])["name"])

    assert names("ana") == ["Ana Teacher"]
    assert names("maya") == ["Ana Teacher", "Cy Teacher"]  # caseload + unassigned
    assert names("luis") == ["Ben Teacher", "Cy Teacher"]
    assert names("far") == []
    assert names("dana") == ["Ana Teacher", "Ben Teacher", "Cy Teacher"]


def test_only_the_owner_writes_their_plan(con, school):
    plan(con, school["ana"])
    # A coach adding evidence adds it to *their own* plan, never to the teacher's.
    with pytest.raises(ValidationError, match="Write your growth plan first"):
        growth.add_evidence(con, school["maya"], "Observed Ana's lesson")
    assert growth.plan_for(con, school["ana"], school["ana"]).evidence == ()


# ---- choosing, claiming, caseload -----------------------------------------------------------


def test_coaches_show_focus_and_caseload_and_a_teacher_chooses_one(con, school):
    coaching.choose_coach(con, school["ana"], school["maya"])
    coaching.choose_coach(con, school["ben"], school["maya"])
    listed = {c.name: c for c in coaching.coaches(con, SCHOOL)}
    assert set(listed) == {"Maya Coach", "Luis Coach"}
    assert listed["Maya Coach"].caseload == 2
    assert listed["Luis Coach"].caseload == 0
    assert "Blended learning" in listed["Maya Coach"].label()
    with pytest.raises(ValidationError, match="your school's coaches"):
        coaching.choose_coach(con, school["cy"], school["far"])
    with pytest.raises(ValidationError, match="your school's coaches"):
        coaching.choose_coach(con, school["cy"], school["ben"])
    coaching.leave_to_coaches(con, school["ana"])
    assert coaching.coach_of(con, school["ana"]) is None


def test_unassigned_plans_match_the_coachs_focus_and_a_claim_is_exclusive(con, school, make):
    google = make.topic("Google Certification Level 1")
    growth.save_plan(con, school["ana"], "Use Google tools daily", [("g", "m")], topic_id=google)
    growth.save_plan(con, school["ben"], "Writing feedback", [("Literacy circles", "m")])
    maya = coaching.unassigned_plans(con, school["maya"])
    assert list(maya["name"]) == ["Ana Teacher", "Ben Teacher"]
    assert maya.loc[0, "matches"] == "google, tools"
    luis = coaching.unassigned_plans(con, school["luis"])
    assert list(luis["name"]) == ["Ben Teacher", "Ana Teacher"]
    assert "literacy" in luis.loc[0, "matches"] and "writing" in luis.loc[0, "matches"]

    coaching.claim(con, school["luis"], school["ben"])
    with pytest.raises(ValidationError, match="already has a coach"):
        coaching.claim(con, school["maya"], school["ben"])
    assert coaching.coach_of(con, school["ben"]) == school["luis"]
    assert list(coaching.unassigned_plans(con, school["maya"])["name"]) == ["Ana Teacher"]
    with pytest.raises(PermissionDenied):
        coaching.claim(con, school["ana"], school["cy"])
    with pytest.raises(PermissionDenied, match="another school"):
        coaching.claim(con, school["far"], school["cy"])
    with pytest.raises(PermissionDenied):
        coaching.unassigned_plans(con, school["ana"])


def test_caseload_shows_plan_sessions_and_last_contact(con, school):
    plan(con, school["ana"])
    coaching.claim(con, school["maya"], school["ana"])
    coaching.claim(con, school["maya"], school["cy"])
    coaching.log_session(
        con, school["maya"], school["ana"], date(2027, 1, 12), 30, "Feedback", "Try it", TODAY
    )
    coaching.log_session(
        con, school["maya"], school["ana"], date(2027, 1, 5), 45, "Kickoff", "", TODAY
    )
    load = coaching.caseload(con, school["maya"]).set_index("name")
    assert load.loc["Ana Teacher", "sessions"] == 2
    assert load.loc["Ana Teacher", "minutes"] == 75
    assert load.loc["Ana Teacher", "last_contact"].date() == date(2027, 1, 12)
    assert load.loc["Ana Teacher", "focus"] == "Better feedback on writing"
    assert load.loc["Ana Teacher", "how"] == "claimed"
    assert load.index[0] == "Cy Teacher"  # never contacted comes first
    held = coaching.sessions_for(con, school["ana"], school["ana"])
    assert list(held["focus"]) == ["Feedback", "Kickoff"]
    assert set(held["coach"]) == {"Maya Coach"}


# ---- one-on-one coaching --------------------------------------------------------------------


def test_a_coaching_request_names_slots_and_a_logged_session_closes_it(con, school, make):
    slots = make.slots()
    topic = make.topic("Workshop Model")
    rid = coaching.request_coaching(con, school["cy"], topic, [slots[2], slots[0]], "Conferring")
    again = coaching.request_coaching(con, school["cy"], topic, [slots[2]], "Conferring, please")
    assert again == rid  # one open request, updated
    mine = coaching.my_requests(con, school["cy"])
    assert len(mine) == 1
    assert mine.loc[0, "preferred_slots"] == "Wed lunch"
    assert mine.loc[0, "note"] == "Conferring, please"
    assert list(coaching.open_requests(con, school["luis"])["name"]) == ["Cy Teacher"]
    assert coaching.open_requests(con, school["far"]).empty
    with pytest.raises(PermissionDenied):
        coaching.open_requests(con, school["ana"])

    coaching.log_session(con, school["luis"], school["cy"], TODAY, 30, "Conferring", "", TODAY)
    assert coaching.open_requests(con, school["dana"]).empty
    assert coaching.my_requests(con, school["cy"]).loc[0, "status"] == "done"


def test_a_request_says_what_it_is_about(con, school):
    with pytest.raises(ValidationError, match="Pick a topic or write"):
        coaching.request_coaching(con, school["cy"], None, [], "  ")
    with pytest.raises(ValidationError, match="under 500"):
        coaching.request_coaching(con, school["cy"], None, [], "n" * 501)


@pytest.mark.parametrize(
    ("held_on", "minutes", "focus", "message"),
    [
        (date(2027, 1, 10), -20, "Focus", "more than 0 minutes"),
        (date(2027, 1, 10), 0, "Focus", "more than 0 minutes"),
        (date(2026, 7, 31), 30, "Focus", "outside this school year"),
        (date(2027, 8, 1), 30, "Focus", "outside this school year"),
        (date(2027, 1, 21), 30, "Focus", "in the future"),
        (date(2027, 1, 10), 30, "", "focus is empty"),
        (date(2027, 1, 10), 30, "f" * 201, "under 200"),
    ],
)
def test_bad_session_logs_get_clear_messages(con, school, held_on, minutes, focus, message):
    with pytest.raises(ValidationError, match=message):
        coaching.log_session(con, school["maya"], school["ana"], held_on, minutes, focus, "", TODAY)
    assert coaching.sessions_for(con, school["dana"], school["ana"]).empty


def test_only_the_teachers_coach_logs_their_sessions(con, school):
    coaching.choose_coach(con, school["ana"], school["maya"])
    with pytest.raises(PermissionDenied):
        coaching.log_session(con, school["luis"], school["ana"], TODAY, 30, "x", "", TODAY)
    with pytest.raises(PermissionDenied):
        coaching.log_session(con, school["dana"], school["ana"], TODAY, 30, "x", "", TODAY)
    with pytest.raises(PermissionDenied):
        coaching.log_session(con, school["ben"], school["ana"], TODAY, 30, "x", "", TODAY)


# ---- PLC notes and coverage -----------------------------------------------------------------


def test_plc_needs_are_counted_across_meetings(con, school):
    coaching.add_plc_note(
        con, school["maya"], date(2027, 1, 8), "Data talk", "Intervention plans\n- Pacing"
    )
    coaching.add_plc_note(con, school["luis"], date(2027, 1, 15), "", " intervention plans \n\n")
    needs = coaching.plc_needs(con)
    assert list(needs["need"]) == ["Intervention plans", "Pacing"]
    assert list(needs["mentions"]) == [2, 1]
    assert needs.loc[0, "last_raised"] == date(2027, 1, 15)
    assert len(coaching.plc_notes(con)) == 2
    with pytest.raises(PermissionDenied):
        coaching.add_plc_note(con, school["ana"], date(2027, 1, 8), "notes")
    with pytest.raises(ValidationError, match="outside this school year"):
        coaching.add_plc_note(con, school["maya"], date(2025, 1, 8), "notes")
    with pytest.raises(ValidationError, match="notes or at least one need"):
        coaching.add_plc_note(con, school["maya"], date(2027, 1, 8), "", "\n")


def test_coverage_counts_plans_coaches_and_meetings_this_month(con, school):
    plan(con, school["ana"])
    plan(con, school["ben"])
    coaching.choose_coach(con, school["ana"], school["maya"])
    coaching.choose_coach(con, school["cy"], school["luis"])
    coaching.log_session(con, school["maya"], school["ana"], date(2027, 1, 4), 30, "x", "", TODAY)
    coaching.log_session(con, school["luis"], school["cy"], date(2026, 12, 20), 30, "x", "", TODAY)
    got = coaching.coverage(con, school["dana"], today=TODAY)
    assert got == coaching.Coverage(teachers=3, with_plan=2, with_coach=2, met_this_month=1)
    assert got.share(got.with_plan) == pytest.approx(2 / 3)
    frame = coaching.coverage_frame(con, school["dana"], today=TODAY).set_index("name")
    assert frame.loc["Cy Teacher", "coach"] == "Luis Coach"
    assert not frame.loc["Cy Teacher", "met_this_month"]
    with pytest.raises(PermissionDenied, match="for admins"):
        coaching.coverage(con, school["maya"], today=TODAY)


def test_pathway_uptake_counts_who_started_and_who_finished(con, school):
    pathways.add_pathway(con, school["maya"], "Level 1", "https://a.example", "", ["U1", "U2"])
    pathways.add_pathway(con, school["dana"], "Level 2", "", "", ["V1"])
    first = pathways.pathway_list(con)[0].steps
    for step in first:
        pathways.mark_step(con, school["ana"], step.id)
    pathways.mark_step(con, school["ben"], first[0].id)
    got = pathways.uptake(con).set_index("pathway")
    assert got.loc["Level 1", ["steps", "started", "finished"]].tolist() == [2, 2, 1]
    assert got.loc["Level 2", ["steps", "started", "finished"]].tolist() == [1, 0, 0]
    with pytest.raises(ValidationError, match="already a pathway"):
        pathways.add_pathway(con, school["maya"], "level 1", "", "", ["x"])
