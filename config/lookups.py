"""`field__any=[...]`: membership in a long list as one array parameter on PostgreSQL.

`__in` with 10,000 values sends 10,000 parameters that Django, psycopg and the planner each
handle one by one; `= ANY(%s)` sends one array. Bulk paths (imports) use it; elsewhere, and
on SQLite, it is the same as `__in`.
"""

from django.db.models import BigAutoField, BigIntegerField, IntegerField, Lookup
from django.db.models.lookups import In


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return ("%s", [list(value)])

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        _, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, *rhs_params]

    def as_sqlite(self, compiler, connection):
        return In(self.lhs, list(self.rhs)).as_sql(compiler, connection)


def register() -> None:
    for field in (IntegerField, BigIntegerField, BigAutoField):
        field.register_lookup(AnyOf)
