from functools import cached_property

from django.core.paginator import Paginator
from django.db import connection

EXACT_COUNT_BELOW = 100_000


class EstimatedCountPaginator(Paginator):
    """For admin lists of very large tables: an unfiltered list on PostgreSQL takes the
    planner's row estimate instead of COUNT(*) over millions of rows."""

    @cached_property
    def count(self) -> int:
        query = self.object_list.query
        if connection.vendor != "postgresql" or query.where:
            return super().count
        with connection.cursor() as cursor:
            # A partitioned table: the sum of its partitions' estimates; else its own.
            cursor.execute(
                "SELECT COALESCE((SELECT SUM(GREATEST(c.reltuples, 0)) FROM pg_inherits i "
                "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass), "
                "(SELECT GREATEST(reltuples, 0) FROM pg_class WHERE oid = %s::regclass))::bigint",
                [query.model._meta.db_table] * 2,
            )
            estimate = cursor.fetchone()[0]
        return estimate if estimate >= EXACT_COUNT_BELOW else super().count
