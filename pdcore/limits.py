"""How long a name or label may be, for every way in (pages, imports, syncs).

Long enough for any real value, short enough that a list stays a list. An import refuses or
cuts a longer value with a row problem; a form refuses it (max_chars stops typing at the limit).
"""

PERSON_NAME_MAX = 100
EMAIL_MAX = 254  # RFC 5321's longest address
DEPARTMENT_MAX = 60
SCHOOL_MAX = 80
TOPIC_NAME_MAX = 80
COHORT_NAME_MAX = 80
SLOT_LABEL_MAX = 40

# Lists, labels and headings show at most this many characters of a name (the detail view
# shows it whole).
LIST_NAME_CHARS = 60
