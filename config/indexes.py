"""Index kinds the models declare once for both databases."""

from django.db import models


class HashOnPostgres(models.Index):
    """A hash index on PostgreSQL, a plain one elsewhere (SQLite has no other kind).

    For columns looked up only by equality whose values are random, as digests are: each
    insert touches one bucket page, where a btree descends and splits pages all over the
    tree. On a million-row import the two digest btrees cost about 10 us a profile, the two
    hash indexes about 4. A hash index cannot be unique."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            using = " USING hash"
        return super().create_sql(model, schema_editor, using=using, **kwargs)
