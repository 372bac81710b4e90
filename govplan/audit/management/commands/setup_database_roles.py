"""Create (or bring up to date) the PostgreSQL role the application connects as: it may read
and write the application's tables, but only INSERT and SELECT the audit trail, and owns
nothing, so it can neither UPDATE, DELETE nor TRUNCATE audit entries nor disable the
triggers guarding them. Run it as the tables' owner (the role migrations run as), after
`migrate`; default privileges give the role the same rights on tables later migrations add.

    DATABASE_URL=postgres://govplan_owner@db/govplan manage.py migrate
    DATABASE_URL=postgres://govplan_owner@db/govplan manage.py setup_database_roles \\
        --app-role govplan_app --password-file /run/secrets/govplan_app_password
    # the application: DATABASE_URL=postgres://govplan_app:…@db/govplan
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from psycopg import sql

# The tables whose rows the application may add but never change or remove: the trail, and
# the record of its verifications (the last one intact is what a truncation is measured by).
INSERT_ONLY = ("audit_auditevent", "audit_verification")


def statements(role: str, owner: str, database: str, password: str | None) -> list[sql.Composed]:
    r, o = sql.Identifier(role), sql.Identifier(owner)
    out: list[sql.Composed] = []
    if password is not None:
        out.append(sql.SQL("ALTER ROLE {} WITH LOGIN PASSWORD {}").format(r, sql.Literal(password)))
    out += [
        sql.SQL("ALTER ROLE {} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS").format(
            r
        ),
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), r),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(r),
        sql.SQL("REVOKE CREATE ON SCHEMA public FROM {}").format(r),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(
            r
        ),
        sql.SQL(
            "REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {}"
        ).format(r),
        sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {}").format(r),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public "
            "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
        ).format(o, r),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public "
            "GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {}"
        ).format(o, r),
    ]
    for table in INSERT_ONLY:
        out.append(
            sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(
                sql.Identifier(table), r
            )
        )
    return out


class Command(BaseCommand):
    help = (
        "Create or update the PostgreSQL role the application connects as (insert-only on the "
        "audit trail, owner of nothing). Run as the tables' owner, after migrate."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--app-role", required=True, help="the application's role name")
        parser.add_argument(
            "--password-file",
            help="a file holding the role's password (else GOVPLAN_APP_DB_PASSWORD; "
            "else the password is left as it is)",
        )
        parser.add_argument(
            "--print", action="store_true", help="print the SQL instead of running it"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("database roles are PostgreSQL's: nothing to do on SQLite")
        role: str = options["app_role"]
        password: str | None = None
        if options.get("password_file"):
            password = Path(options["password_file"]).read_text(encoding="utf-8").strip()
        elif os.environ.get("GOVPLAN_APP_DB_PASSWORD"):
            password = os.environ["GOVPLAN_APP_DB_PASSWORD"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database()")
            owner, database = cursor.fetchone()
            if owner == role:
                raise CommandError(
                    "run this as the tables' owner (the role migrations run as), "
                    "not as the application's role"
                )
            todo = statements(role, owner, database, password)
            if options["print"]:
                raw = cursor.connection
                for statement in todo:
                    self.stdout.write(statement.as_string(raw) + ";")
                return
            with transaction.atomic():
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
                if cursor.fetchone() is None:
                    cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
                for statement in todo:
                    cursor.execute(statement)
        self.stdout.write(
            f"Role {role}: reads and writes the application's tables, only inserts into "
            f"{', '.join(INSERT_ONLY)}, owns nothing."
        )
