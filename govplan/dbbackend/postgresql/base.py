"""Django's PostgreSQL backend with the pre-commit hooks (govplan.dbbackend.precommit)."""

from django.db.backends.postgresql import base

from govplan.dbbackend.precommit import PreCommitMixin


class DatabaseWrapper(PreCommitMixin, base.DatabaseWrapper):
    pass
