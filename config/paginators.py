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


class CappedCountPaginator(Paginator):
    """For lists a person pages through (the staff's profile list): counts at most CAP rows,
    so a filter matching a million profiles costs a count of 10,001 rows, not of a million
    (issue 10: 170 ms at 1,000,000 profiles). Past the cap, `capped` is true, the count reads
    CAP and the pages stop at CAP / per_page: nobody pages through 200 pages; search,
    filters and exports reach the rest."""

    CAP = 10_000

    @cached_property
    def _counted(self) -> int:
        # Unordered: which rows make up the first CAP + 1 does not change how many there are.
        return self.object_list.order_by()[: self.CAP + 1].count()

    @property
    def count(self) -> int:
        return min(self._counted, self.CAP)

    @property
    def capped(self) -> bool:
        return self._counted > self.CAP
