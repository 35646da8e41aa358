"""The page sections that show a hostile roster's names, cohorts and topics show them as text:
escaped for markdown (so no link, bold or HTML), and every character as typed once read.

(The browser test in tests/e2e/test_fail_closed.py checks the DOM of whole pages; these check
the sections a browser test would have to steer to: thinned-out cohorts, the steering tools,
a PD hours record, the carry-over list.)"""

from __future__ import annotations

from pdcore import db, formation
from pdcore.ui.text import short
from tests.conftest import DEMO_ADMIN, shown
from tests.fixtures.hostile import FORMULA, HTML, MD_LINK, make_hostile


def as_text(value: str, raw: str) -> bool:
    """`value` (markdown) reads as `raw` and holds none of its markup unescaped."""
    return raw in shown(value) and raw not in value


def test_unmatched_seat_button_and_steering_show_names_as_text(app_db, open_app):
    con = db.connect(app_db)
    make_hostile(con)
    seat = next(m for m in formation.mid_year_suggestions(con) if m.kind == "seat")
    target = f"{MD_LINK} seats"
    con.execute("UPDATE cohorts SET name = ? WHERE id = ?", [target, seat.cohort_ids[1]])
    a, b = sorted(formation.preview(con).formation.placed_ids())[:2]
    for sid, name in ((a, f"{HTML} A"), (b, f"{MD_LINK} B")):
        con.execute("UPDATE staff SET name = ? WHERE id = ?", [name, sid])
    con.close()

    at = open_app(DEMO_ADMIN, page="pages/unmatched.py")
    assert not at.exception
    button = at.button(key=f"mid_year_seat_{seat.cohort_ids[0]}_{seat.staff_id}")
    assert as_text(button.label, short(target)), button.label

    at.button(key="formation_preview").click().run()
    at.selectbox(key="steer_person").set_value(a).run()
    [now] = [c.value for c in at.caption if shown(c.value).startswith("Now: ")]
    assert "[" not in now.replace("\\[", "")  # a seat label, its cohort name escaped
    at.multiselect(key="steer_pair").set_value([a, b]).run()
    at.button(key="steer_apart").click().run()
    assert not at.exception
    [apart] = [c.value for c in at.caption if shown(c.value).startswith("Kept apart: ")]
    assert as_text(apart, f"{HTML} A") and as_text(apart, f"{MD_LINK} B"), apart


def test_a_pd_hours_record_and_the_carry_over_list_show_names_as_text(app_db, open_app):
    con = db.connect(app_db)
    hostile = make_hostile(con)
    con.close()

    at = open_app(DEMO_ADMIN, page="pages/pd_hours.py")
    at.selectbox(key="hours_person").set_value(hostile.teacher_id).run()
    assert not at.exception
    heading = next(h.value for h in at.subheader if FORMULA in shown(h.value))
    assert as_text(heading, FORMULA), heading

    at.switch_page("pages/seasons.py").run()
    assert not at.exception
    carry = at.checkbox(key=f"season_carry_{hostile.cohort_id}")
    assert as_text(carry.label, MD_LINK), carry.label
    assert as_text(carry.label, FORMULA), carry.label  # the teacher who voted to stay
