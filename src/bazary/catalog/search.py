"""Search backends: the same ``?search=`` on every database.

``SEARCH_BACKEND`` names the class. :class:`AutoSearchBackend` (the default)
picks :class:`PostgresSearchBackend` on PostgreSQL and
:class:`SimpleSearchBackend` elsewhere, per query, so one settings file serves
SQLite in development and PostgreSQL in production.

Both built-in backends bound the work of a search: they take the first
``SEARCH_MAX_RESULTS`` matches in the catalog's default order (newest first)
and rank only those, so a word found in half the catalog costs what a word
found in ``SEARCH_MAX_RESULTS`` products costs (see docs/performance.md).
"""

from __future__ import annotations

import functools
import operator
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, cast

from django.db import connections, models
from django.db.models import Case, F, FloatField, Func, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

#: The annotation both built-in backends rank by. A queryset carrying it holds
#: at most ``SEARCH_MAX_RESULTS`` rows, every one read to sort them, so its
#: page counts them in the same query (see pagination.SearchCountPaginator).
RANK = "search_rank"


class BaseSearchBackend(ABC):
    """Filter and rank a product queryset by a search text."""

    @abstractmethod
    def search(self, queryset: models.QuerySet, text: str) -> models.QuerySet:
        """Return ``queryset`` filtered to the matches of ``text``, best first."""


def first_matches(matches: models.QuerySet, limit: int | None = None) -> list[Any]:
    """The primary keys of the first ``SEARCH_MAX_RESULTS`` matches (or
    ``limit``, when lower) in the model's default order: one query that stops
    early (an index scan on ``created_at`` for a common word, a bitmap of a
    few rows for a rare one) instead of ranking and counting every match."""
    from .conf import catalog_settings

    ordering = matches.model._meta.ordering or ["-pk"]
    cap = catalog_settings.SEARCH_MAX_RESULTS if limit is None else min(limit, catalog_settings.SEARCH_MAX_RESULTS)
    return list(matches.order_by(*ordering).values_list("pk", flat=True)[:cap])


class SimpleSearchBackend(BaseSearchBackend):
    """Portable: every word must appear (case-insensitive) in the name, SKU,
    description, a tag or a variant's SKU; name matches rank first, then
    SKU/tag matches."""

    def search(self, queryset: models.QuerySet, text: str) -> models.QuerySet:
        words = text.split()
        if not words:
            return queryset
        from .models import Variant

        matches = queryset
        for word in words:
            matches = matches.filter(
                Q(name__icontains=word)
                | Q(sku__icontains=word)
                | Q(description__icontains=word)
                | Q(pk__in=queryset.model._default_manager.filter(tags__name__icontains=word).values("pk"))
                | Q(pk__in=Variant.objects.filter(sku__icontains=word).values("product_id"))
            )
        queryset = queryset.filter(pk__in=first_matches(matches))
        rank = Case(
            When(name__icontains=text, then=Value(3)),
            When(sku__icontains=text, then=Value(2)),
            When(pk__in=Variant.objects.filter(sku__iexact=text).values("product_id"), then=Value(2)),
            *[When(name__icontains=word, then=Value(1)) for word in words],
            default=Value(0),
            output_field=IntegerField(),
        )
        return queryset.annotate(**{RANK: rank}).order_by(f"-{RANK}", *queryset.model._meta.ordering)


class PostgresSearchBackend(BaseSearchBackend):
    """Weighted full text over the stored ``search_vector`` (GIN index) or an
    exact SKU (the product's or a variant's); when those find nothing, the names holding a word similar to
    the text (pg_trgm word similarity, GIN index), so a typo still finds the
    product. Ranked by the full-text rank, or that similarity for the fallback's names."""

    config = "simple"  # language-neutral: no stemming surprises across shop languages
    word_similarity_threshold = 0.5
    #: At most this many names (and ``SEARCH_MAX_RESULTS``) are kept by the
    #: typo fallback. Each row it examines costs a word similarity: a typo of a
    #: common word ("blakc": its trigrams are in every "black" name) walks the
    #: ``created_at`` index until this many names match, so the walk, not the
    #: catalog, sets its cost (docs/performance.md).
    max_similar = 100

    def search(self, queryset: models.QuerySet, text: str) -> models.QuerySet:
        # Imported here: django.contrib.postgres needs psycopg (Django 6).
        from django.contrib.postgres.lookups import TrigramWordSimilar
        from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity

        _register_postgres_lookups()
        query = SearchQuery(text, search_type="websearch", config=self.config)
        similarity = TrigramWordSimilarity(text, "name")
        from .models import Variant

        # A variant's exact SKU (any case: the UPPER(sku) index of variants) finds its product.
        by_variant = Q(EqualsAny(F("pk"), Variant.objects.filter(sku__iexact=text).values("product_id")))
        found = first_matches(queryset.filter(Q(search_vector=query) | Q(sku__iexact=text) | by_variant))
        if not found:
            # Typo tolerance as a fallback: a similarity per row examined is
            # what made a common word's search slow when it was always OR-ed in.
            similar = queryset
            exact = self.word_similarity_threshold == CONNECTION_WORD_SIMILARITY_THRESHOLD
            if _trigram_index_usable(queryset.db, self.word_similarity_threshold):
                # ``name %> text`` lets the trigram GIN index find the
                # candidates; at the connection's threshold it is the cut-off
                # itself (a second word_similarity() per row would double the
                # cost of the walk), above it the filter below keeps it exact.
                similar = similar.filter(TrigramWordSimilar(F("name"), Value(text)))
            else:
                exact = False
            if not exact:
                similar = similar.annotate(search_similarity=similarity).filter(
                    search_similarity__gte=self.word_similarity_threshold
                )
            found = first_matches(similar, limit=self.max_similar)
        if not found:
            return queryset.none()  # what ``pk__in=[]`` gave: no page or count query
        # A product the words match ranks by the full-text rank (the name's
        # weight first), one the fallback found by its name's similarity:
        # each row pays one of the two (both were half the page query's time).
        rank = Case(
            When(Q(search_vector=query), then=SearchRank(F("search_vector"), query)),
            default=similarity,
            output_field=FloatField(),
        )
        return (
            queryset.filter(EqualsAnyOf(F("pk"), found))
            .annotate(**{RANK: rank})
            .order_by(f"-{RANK}", *queryset.model._meta.ordering)
        )


#: ``pg_trgm.word_similarity_threshold`` set on every PostgreSQL connection (for ``%>``).
CONNECTION_WORD_SIMILARITY_THRESHOLD = PostgresSearchBackend.word_similarity_threshold
# The raw connections that have it (a pooled connection is set up once).
_threshold_set: weakref.WeakSet[Any] = weakref.WeakSet()


def set_trigram_threshold(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: set the session's word similarity
    threshold once per physical connection. Connections are opened in
    autocommit mode, so the setting lasts (a later rollback cannot undo it)."""
    if connection.vendor != "postgresql" or connection.connection in _threshold_set:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
            [str(CONNECTION_WORD_SIMILARITY_THRESHOLD)],
        )
    _threshold_set.add(connection.connection)


def _trigram_index_usable(using: str, threshold: float) -> bool:
    """Whether ``%>`` on this connection finds every name at or above ``threshold``."""
    connection = connections[using]
    connection.ensure_connection()
    return threshold >= CONNECTION_WORD_SIMILARITY_THRESHOLD and connection.connection in _threshold_set


def connect_trigram_threshold() -> None:
    from django.db.backends.signals import connection_created

    connection_created.connect(set_trigram_threshold, dispatch_uid="bazary_catalog_trigram_threshold")


class AutoSearchBackend(BaseSearchBackend):
    """PostgreSQL search on PostgreSQL, the portable one elsewhere."""

    def search(self, queryset: models.QuerySet, text: str) -> models.QuerySet:
        if connections[queryset.db].vendor == "postgresql":
            return PostgresSearchBackend().search(queryset, text)
        return SimpleSearchBackend().search(queryset, text)


class EqualsAny(Func):
    """``lhs = ANY(ARRAY(subquery))``: the subquery runs once (an InitPlan)
    and PostgreSQL estimates the condition as a handful of rows. ``lhs IN
    (subquery)`` as a branch of an ``OR`` is a hashed SubPlan the planner
    guesses at half the table: a rare word's search then walked the whole
    ``created_at`` index (1.1 s at 1M products instead of 1 ms)."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY(ARRAY"
    output_field = models.BooleanField()

    def __init__(self, lhs: Any, subquery: models.QuerySet) -> None:
        super().__init__(lhs, Subquery(subquery))


class EqualsAnyOf(Func):
    """``lhs = ANY(%s)``: a list of values as one array parameter (PostgreSQL).
    ``pk__in=<list>`` compiles a placeholder and adapts a parameter per value,
    and PostgreSQL parses a constant per value: for the 1,000 ids a search
    keeps, in the page's query and again in its count, that was about a
    quarter of a common word's search (docs/performance.md)."""

    output_field = models.BooleanField()

    def __init__(self, lhs: Any, values: Any) -> None:
        super().__init__(lhs)
        self.values = list(values)

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra_context: Any) -> Any:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"{sql} = ANY(%s)", (*params, self.values)


class _TagNames(models.Aggregate):
    function = "STRING_AGG"
    template = "%(function)s(%(distinct)s%(expressions)s, ' ')"
    output_field = models.TextField()


def _register_postgres_lookups() -> None:
    """``search_vector=<SearchQuery>`` means ``@@`` on the catalog's own field."""
    from django.contrib.postgres.search import SearchVectorExact

    from .fields import SearchVectorField

    if SearchVectorField.get_class_lookups().get("exact") is not SearchVectorExact:
        SearchVectorField.register_lookup(SearchVectorExact)


#: Stands for the product's tag names (one text, space-separated) in SEARCH_WEIGHTS.
TAG_NAMES = object()
#: What the search vector is made of, and its weights: name (A) > sku and tag
#: names (B) > description (C). The ORM expression and the bulk write's SQL
#: are both built from it, so they cannot drift apart.
SEARCH_WEIGHTS: tuple[tuple[Any, str], ...] = (("name", "A"), ("sku", "B"), (TAG_NAMES, "B"), ("description", "C"))


def search_vector_expression(model: type[models.Model]) -> Any:
    """name (A) > sku and tag names (B) > description (C)."""
    from django.contrib.postgres.search import SearchVector

    through = cast(Any, model._meta.get_field("tags")).remote_field.through
    tag_names = Subquery(
        through.objects.filter(**{f"{through_fk(through, model)}": OuterRef("pk")})
        .order_by()
        .values(through_fk(through, model))
        .annotate(names=_TagNames("tag__name"))
        .values("names")[:1]
    )
    tags = Coalesce(tag_names, Value(""), output_field=models.TextField())
    vectors = [
        SearchVector(tags if source is TAG_NAMES else source, weight=weight, config=PostgresSearchBackend.config)
        for source, weight in SEARCH_WEIGHTS
    ]
    return functools.reduce(operator.add, vectors)


def search_vector_sql(model: type[models.Model], quote_name: Callable[[str], str], tag_names: str) -> str:
    """The SQL of :func:`search_vector_expression` over a row's own columns
    and a text column ``tag_names`` (the tag names separated by spaces), for
    a bulk write that fills the vector in the statement that writes the row
    (the same weights and configuration, so the same matches and ranks)."""
    config = PostgresSearchBackend.config

    def part(column: str, weight: str) -> str:
        return f"setweight(to_tsvector('{config}'::regconfig, COALESCE(({column})::text, '')), '{weight}')"

    def own(name: str) -> str:
        return quote_name(str(cast(Any, model._meta.get_field(name)).column))

    return " || ".join(
        part(quote_name(tag_names) if source is TAG_NAMES else own(source), weight) for source, weight in SEARCH_WEIGHTS
    )


def through_fk(through: type[models.Model], model: type[models.Model]) -> str:
    for field in through._meta.get_fields():
        if getattr(field, "related_model", None) is model:
            return field.name
    raise LookupError(model)


def update_search_vectors(queryset: models.QuerySet) -> None:
    """Refresh ``search_vector`` of the given products in one UPDATE
    (PostgreSQL only; other databases search without it)."""
    if connections[queryset.db].vendor != "postgresql":
        return
    queryset.model._default_manager.using(queryset.db).filter(pk__in=queryset.values("pk")).update(
        search_vector=search_vector_expression(queryset.model)
    )


def install_postgres_search(schema_editor: Any, model: type[models.Model]) -> None:
    """The pg_trgm extension and the GIN indexes the PostgreSQL backend uses.

    Called by the catalog's migration for the product model in use; a project
    that swaps the product model after its table exists can call it from a
    ``RunPython`` of its own. Does nothing on other databases."""
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(model._meta.db_table)
    base = model._meta.db_table
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(base + '_search_gin')} "
        f"ON {table} USING gin (search_vector)"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(base + '_name_trgm')} "
        f"ON {table} USING gin (name gin_trgm_ops)"
    )
    # ``sku__iexact`` of the search: UPPER(sku) = UPPER(text), indexed.
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(base + '_sku_upper')} ON {table} (UPPER(sku::text))"
    )


def connect_search_updates() -> None:
    """Keep ``search_vector`` current when tags change (admin, shell, API)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

    from .models import Tag, get_product_model

    product_model = get_product_model()
    through = cast(Any, product_model._meta.get_field("tags")).remote_field.through
    m2m_changed.connect(_tags_changed, sender=through, dispatch_uid="bazary_catalog_search_tags")
    post_save.connect(_tag_saved, sender=Tag, dispatch_uid="bazary_catalog_search_tag_saved")
    pre_delete.connect(_tag_deleting, sender=Tag, dispatch_uid="bazary_catalog_search_tag_deleting")
    post_delete.connect(_tag_deleted, sender=Tag, dispatch_uid="bazary_catalog_search_tag_deleted")


def touch_products(queryset: models.QuerySet) -> None:
    """Bump ``updated_at`` of the given products: their detail (which shows
    tag names) changed, so its ``Last-Modified`` must move too."""
    from django.utils import timezone

    queryset.update(updated_at=timezone.now())


def _tags_changed(sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    from .models import get_product_model

    manager = get_product_model()._default_manager
    if not reverse:
        update_search_vectors(manager.filter(pk=instance.pk))
        touch_products(manager.filter(pk=instance.pk))
    elif pk_set:
        update_search_vectors(manager.filter(pk__in=pk_set))
        touch_products(manager.filter(pk__in=pk_set))


def _tag_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if not created:
        from .models import get_product_model

        products = get_product_model()._default_manager.filter(tags=instance)
        update_search_vectors(products)
        touch_products(products)


def _tag_deleting(sender: Any, instance: Any, **kwargs: Any) -> None:
    # The through rows go by cascade, without m2m_changed: remember who had the tag.
    instance._bazary_product_ids = list(instance.products.values_list("pk", flat=True))


def _tag_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    ids = getattr(instance, "_bazary_product_ids", None)
    if ids:
        from .models import get_product_model

        products = get_product_model()._default_manager.filter(pk__in=ids)
        update_search_vectors(products)
        touch_products(products)
