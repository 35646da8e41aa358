"""What can go wrong with the database, each said in one sentence a person can act on."""


class DatabaseProblem(RuntimeError):
    """The database cannot be used; the message says what it is and what to do."""


class DatabaseBusy(DatabaseProblem):
    """The database file is held by another process."""


class DatabaseUnreadable(DatabaseProblem):
    """The file is not a database this app can open (damaged, half-written, or another kind)."""


class DatabaseUnavailable(DatabaseProblem):
    """The PostgreSQL server cannot be reached, or stopped answering."""
