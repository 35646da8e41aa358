"""The app's pages: which file, its title and icon, who may open it, and its section."""

from __future__ import annotations

from pdcore.model import Role

EVERYONE = (Role.TEACHER, Role.COACH, Role.ADMIN)
COACHES = (Role.COACH, Role.ADMIN)
ADMINS = (Role.ADMIN,)

# (file, title, icon, who may open it, sidebar section; "" has no heading). Each page also
# checks its own role.
PAGES = (
    ("pages/home.py", "Home", ":material/home:", EVERYONE, ""),
    ("pages/survey.py", "Interest survey", ":material/checklist:", EVERYONE, "My learning"),
    ("pages/topics.py", "Pick a topic", ":material/topic:", EVERYONE, "My learning"),
    ("pages/find_group.py", "Find a group", ":material/group_add:", EVERYONE, "My learning"),
    ("pages/my_cohort.py", "My cohort", ":material/groups:", EVERYONE, "My learning"),
    ("pages/gallery.py", "What we learned", ":material/lightbulb:", EVERYONE, "My learning"),
    ("pages/growth.py", "Growth plan", ":material/trending_up:", EVERYONE, "My learning"),
    ("pages/sessions.py", "Staff development", ":material/event:", EVERYONE, "My learning"),
    ("pages/pd_hours.py", "PD hours", ":material/schedule:", EVERYONE, "My learning"),
    (
        "pages/season_survey.py",
        "End-of-season survey",
        ":material/rate_review:",
        EVERYONE,
        "My learning",
    ),
    ("pages/watchlist.py", "Watchlist", ":material/visibility:", COACHES, "Coaching"),
    ("pages/coaching.py", "Coaching", ":material/support_agent:", COACHES, "Coaching"),
    ("pages/plan_sessions.py", "Plan sessions", ":material/event_note:", COACHES, "Coaching"),
    ("pages/participation.py", "Participation", ":material/monitoring:", ADMINS, "Admin"),
    ("pages/topic_demand.py", "Topic demand", ":material/bar_chart:", ADMINS, "Admin"),
    ("pages/cohort_health.py", "Cohort health", ":material/health_metrics:", ADMINS, "Admin"),
    ("pages/unmatched.py", "Unmatched staff", ":material/person_search:", ADMINS, "Admin"),
    ("pages/feedback.py", "Season feedback", ":material/reviews:", ADMINS, "Admin"),
    ("pages/data.py", "Data and sync", ":material/sync:", ADMINS, "Admin"),
    ("pages/seasons.py", "Seasons", ":material/event_repeat:", ADMINS, "Admin"),
    ("pages/settings.py", "Settings", ":material/settings:", ADMINS, "Admin"),
)

# Section order in the sidebar, per role: each person's own work comes first.
SECTION_ORDER = {
    Role.TEACHER: ("", "My learning"),
    Role.COACH: ("", "Coaching", "My learning"),
    Role.ADMIN: ("", "Admin", "Coaching", "My learning"),
}
