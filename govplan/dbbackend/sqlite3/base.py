"""Django's SQLite backend with the pre-commit hooks (govplan.dbbackend.precommit)."""

from django.db.backends.sqlite3 import base

from govplan.dbbackend.precommit import PreCommitMixin


class DatabaseWrapper(PreCommitMixin, base.DatabaseWrapper):
    pass
