"""Shared widgets' pure helpers."""

import pandas as pd

from pdcore.exports import inert
from pdcore.ui.widgets import people_labels


def test_people_with_the_same_name_are_told_apart_by_email():
    people = pd.DataFrame(
        {
            "staff_id": [1, 2, 3],
            "name": ["Sam Doyle", "Sam Doyle", "Ana Ruiz"],
            "email": ["sam.doyle@s.org", "sam.doyle2@s.org", "ana.ruiz@s.org"],
        }
    )
    assert people_labels(people) == {
        1: "Sam Doyle (sam.doyle@s.org)",
        2: "Sam Doyle (sam.doyle2@s.org)",
        3: "Ana Ruiz",
    }


def test_formula_cells_are_made_inert_and_others_kept():
    assert inert("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert inert("@cmd") == "'@cmd"
    assert inert("Ana") == "Ana" and inert(5) == 5
