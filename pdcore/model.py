"""Plain dataclasses and enums shared by the pdcore modules."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    TEACHER = "teacher"
    COACH = "coach"
    ADMIN = "admin"


@dataclass(frozen=True)
class StaffMember:
    id: int
    email: str
    name: str
    department: str
    role: Role
    school: str = ""
    active: bool = True
    coach_focus: str = ""

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name else self.email


@dataclass(frozen=True)
class Slot:
    id: int
    label: str
    in_school_day: bool


class PermissionDenied(PermissionError):
    """The signed-in person may not do this; the message says why in plain words."""


class ValidationError(ValueError):
    """Input a person typed is not acceptable; the message says what to change."""
