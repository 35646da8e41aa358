"""A busy person's week without a stumble (issue 15): each person stays where they were after
an action, a double submit makes one record, and so on (AppTest)."""

import pytest

from pdcore import coaching, db
from tests.app.test_teacher_journeys import member_of_a_cohort, texts
from tests.conftest import DEMO_COACH


@pytest.fixture
def school(app_db):
    con = db.connect(app_db)
    yield con
    con.close()


def open_tab(at) -> str:
    """The label of the tab the browser would show (the one tabs container on the page)."""
    containers = [
        node
        for node in _blocks(at._tree)
        if type(node).__name__ == "Block"
        and node.proto is not None
        and node.proto.WhichOneof("type") == "tab_container"
    ]
    assert len(containers) == 1, "one tabs container on the page"
    labels = [tab.label for tab in containers[0].children.values()]
    return labels[containers[0].proto.tab_container.default_tab_index]


def _blocks(node):
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _blocks(child)


def test_my_cohort_keeps_the_tab_after_each_action(open_app, school):
    email, _cid = member_of_a_cohort(school)
    at = open_app(email, "pages/my_cohort.py")
    assert open_tab(at) == "Members"
    at.session_state["my_cohort_tab"] = "Leave or split"  # the person clicks the tab
    at.run()
    assert open_tab(at) == "Leave or split"
    at.button(key="leave_submit").click().run()
    assert "Tick 'Yes, I want to leave'" in texts(at.error)
    assert open_tab(at) == "Leave or split"  # the refusal is where she is looking
    at.session_state["my_cohort_tab"] = "Goal"
    at.run()
    at.text_area(key="goal_text").input("Each of us tries one protocol before March.")
    at.button(key="goal_submit").click().run()
    assert "Goal saved" in texts(at.success)
    assert open_tab(at) == "Goal"


def test_coaching_keeps_the_tab_after_reading_a_plan(open_app, school):
    coach = school.execute("SELECT id FROM staff WHERE email = ?", [DEMO_COACH]).fetchone()[0]
    load = coaching.caseload(school, coach)
    assert not load.empty, "the demo coach has a caseload"
    at = open_app(DEMO_COACH, "pages/coaching.py")
    at.session_state["coaching_tab"] = "My caseload"
    at.run()
    assert not at.exception
    assert open_tab(at) == "My caseload"
    at.selectbox(key="caseload_pick").set_value(int(load["staff_id"].iloc[0])).run()
    assert open_tab(at) == "My caseload"
    assert "Focus:" in texts(at.markdown) or "No growth plan" in texts(at.info)
