"""PostgreSQL search: weighted full text over the stored vector, trigram typo
tolerance, and the indexes the migration installs."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from bazary.catalog.models import Product
from bazary.catalog.search import PostgresSearchBackend
from bazary.testing.catalog import ProductFactory, TagFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def slugs(response):
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.json()["results"]]


def test_the_vector_is_stored_and_kept_current(tree):
    tag = TagFactory(name="waterproof")
    product = ProductFactory(name="Trail Jacket", sku="JK-1", category=tree["books"], description="Warm.")
    product.refresh_from_db()
    assert "'trail':1A" in product.search_vector  # name: weight A
    assert "'jk':3B" in product.search_vector  # sku: weight B
    assert "'warm':5C" in product.search_vector  # description: weight C
    product.tags.add(tag)
    product.refresh_from_db()
    assert "'waterproof'" in product.search_vector
    tag.name = "rainproof"
    tag.save()
    product.refresh_from_db()
    assert "'rainproof'" in product.search_vector
    tag.delete()
    product.refresh_from_db()
    assert "rainproof" not in product.search_vector


def test_weights_rank_name_over_tags_over_description(tree, api_client):
    ProductFactory(name="Plain Mug", category=tree["books"], description="Goes well with a kettle.")
    ProductFactory(name="Tea Set", category=tree["books"], description="", tags=[TagFactory(name="kettle")])
    ProductFactory(name="Electric Kettle", category=tree["books"], description="")
    assert slugs(api_client.get("/api/products/?search=kettle")) == ["electric-kettle", "tea-set", "plain-mug"]


def test_a_typo_still_finds_the_product(tree, api_client):
    ProductFactory(name="Espresso Machine", category=tree["books"], description="")
    ProductFactory(name="Bread Knife", category=tree["books"], description="")
    assert slugs(api_client.get("/api/products/?search=expresso")) == ["espresso-machine"]
    assert slugs(api_client.get("/api/products/?search=machne")) == ["espresso-machine"]


def test_websearch_syntax_and_junk_are_safe(tree, api_client):
    ProductFactory(name="Espresso Machine", category=tree["books"])
    for text in ['"espresso machine"', "espresso -tea", "!!!", "&|:*()", "' OR 1=1 --"]:
        assert api_client.get("/api/products/", {"search": text}).status_code == 200


def test_search_uses_the_gin_indexes():
    table = Product._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
        names = {row[0] for row in cursor.fetchall()}
    assert f"{table}_search_gin" in names
    assert f"{table}_name_trgm" in names


def test_every_connection_gets_the_trigram_threshold():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('pg_trgm.word_similarity_threshold')")
        assert float(cursor.fetchone()[0]) == PostgresSearchBackend.word_similarity_threshold


def test_search_can_use_an_index_for_every_branch(tree):
    """Full text, SKU and the trigram fallback (``%``) each have an index:
    with sequential scans discouraged, no query of a search reads the product
    table but through indexes. (Without ``%`` a similarity filter forces a
    scan of the whole table.)"""
    ProductFactory(name="Espresso Machine", sku="EM-1", category=tree["books"])
    with CaptureQueriesContext(connection) as ctx:
        queryset = PostgresSearchBackend().search(Product.objects.all(), "expresso")
    queries = [(q["sql"], None) for q in ctx.captured_queries] + [queryset.query.sql_with_params()]
    assert len(queries) == 3  # the words' first matches, the fallback's, the ranked page
    assert any(" %> " in sql for sql, _ in queries)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql, params in queries:
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert f"Seq Scan on {Product._meta.db_table}" not in plan, plan
    assert [p.slug for p in queryset] == ["espresso-machine"]


def test_similar_names_count_only_when_the_words_find_nothing(tree, api_client):
    ProductFactory(name="Espresso Machine", category=tree["books"], description="")
    ProductFactory(name="Espressos", category=tree["books"], description="")  # similar, another word
    assert slugs(api_client.get("/api/products/?search=espresso")) == ["espresso-machine"]
    # A typo finds nothing by its words: then both, best word similarity first.
    assert slugs(api_client.get("/api/products/?search=espressso")) == ["espresso-machine", "espressos"]


def test_a_typo_of_one_word_in_a_long_name_is_found(tree, api_client):
    """Word similarity: the typo is compared with the name's closest words,
    not with the whole name (whose other words would dilute it)."""
    ProductFactory(name="Matte Black Insulated Travel Mug 500 ml", category=tree["books"], description="")
    ProductFactory(name="Blue Mug", category=tree["books"], description="")
    assert slugs(api_client.get("/api/products/?search=blakc")) == ["matte-black-insulated-travel-mug-500-ml"]


def test_a_typo_search_is_capped_like_any_other(tree, api_client):
    for i in range(4):
        ProductFactory(name=f"Espresso Machine {i}", category=tree["books"], description="")
    with override_settings(BAZARY_CATALOG={"SEARCH_MAX_RESULTS": 2}):
        body = api_client.get("/api/products/?search=expresso").json()
    assert body["count"] == 2
    assert sorted(row["slug"] for row in body["results"]) == ["espresso-machine-2", "espresso-machine-3"]


def test_search_indexes_include_upper_sku():
    table = Product._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
        assert f"{table}_sku_upper" in {row[0] for row in cursor.fetchall()}


def test_a_bulk_import_fills_the_vectors(tmp_path, tree):
    """The import upserts in bulk (no save() per row): it refreshes the vectors
    of the rows it wrote, after their tags, in bulk too."""
    import io
    import json

    from django.core.management import call_command

    path = tmp_path / "in.json"
    rows = [
        {"sku": "IMP-1", "name": "Glacier Kettle", "price": "9", "category": "Books", "tags": ["enamel"]},
        {"sku": "IMP-2", "name": "Desert Lamp", "price": "9", "category": "Books", "description": "Brass."},
    ]
    path.write_text(json.dumps(rows))
    call_command("bazary_import_products", str(path), stdout=io.StringIO())
    backend = PostgresSearchBackend()
    assert [p.sku for p in backend.search(Product.objects.all(), "enamel")] == ["IMP-1"]
    assert [p.sku for p in backend.search(Product.objects.all(), "brass")] == ["IMP-2"]
    rows[0]["tags"], rows[1]["name"] = ["cast-iron"], "Canyon Lamp"
    path.write_text(json.dumps(rows))
    call_command("bazary_import_products", str(path), stdout=io.StringIO())
    assert not backend.search(Product.objects.all(), "enamel").exists()
    assert [p.sku for p in backend.search(Product.objects.all(), "canyon")] == ["IMP-2"]
    assert not Product.objects.filter(search_vector__isnull=True).exists()


def test_the_import_writes_the_vector_the_model_would(tmp_path, tree):
    """The upsert fills the vector itself (no second UPDATE): the same vector
    the expression of the model's own path gives, for a new row, a row whose
    tags the file replaces and a row whose tags the file leaves alone."""
    import io
    import json

    from django.core.management import call_command

    from bazary.catalog.search import update_search_vectors

    kept = ProductFactory(sku="IMP-3", name="Old Name", category=tree["books"], tags=[TagFactory(name="heirloom")])
    path = tmp_path / "in.json"
    rows = [
        {"sku": "IMP-1", "name": "Glacier Kettle", "price": "9", "category": "Books", "tags": ["enamel"]},
        {"sku": "IMP-2", "name": "Desert Lamp", "price": "9", "category": "Books", "description": "Brass, 'oiled'."},
        {"sku": "IMP-3", "name": "Copper Pan", "price": "9", "category": "Books", "description": "Hammered."},
    ]
    path.write_text(json.dumps(rows))
    call_command("bazary_import_products", str(path), stdout=io.StringIO())
    written = dict(Product.objects.values_list("sku", "search_vector"))
    assert "'heirloom':" in written["IMP-3"]
    assert "'copper':1A" in written["IMP-3"]
    update_search_vectors(Product.objects.all())
    assert dict(Product.objects.values_list("sku", "search_vector")) == written
    assert [p.sku for p in PostgresSearchBackend().search(Product.objects.all(), "heirloom")] == [kept.sku]


def test_a_rare_word_is_estimated_as_rare(tree):
    """The planner's estimate of the words' first matches follows the words,
    not the variant-SKU branch: ``pk IN (subquery)`` inside the ``OR`` was
    guessed at half the table, so a rare word's search walked the whole
    ``created_at`` index (1.1 s at 1M products); ``pk = ANY(ARRAY(...))``
    is estimated as a few rows and PostgreSQL takes the GIN bitmap."""
    import json

    from bazary.catalog.search import update_search_vectors

    Product.objects.bulk_create(
        [
            Product(
                name=f"Plain Mug {n}" + (" Zephyrine" if n % 100 == 0 else ""),
                slug=f"plain-mug-{n}",
                sku=f"MUG-{n}",
                price="9.00",
                category=tree["books"],
            )
            for n in range(2000)
        ]
    )
    update_search_vectors(Product.objects.all())
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Product._meta.db_table}")
    with CaptureQueriesContext(connection) as ctx:
        list(PostgresSearchBackend().search(Product.objects.all(), "zephyrine"))
    words = ctx.captured_queries[0]["sql"]
    assert "search_vector" in words
    assert "LIMIT" in words
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + words)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    # 20 of 2,000 rows match; the old guess was ~1,000.
    assert plan[0]["Plan"]["Plan Rows"] < 200, plan


def test_the_typo_fallback_walks_at_most_max_similar_names(tree):
    """The fallback keeps the newest ``max_similar`` similar names and
    computes one word similarity per row it examines (``%>`` is the cut-off
    at the connection's threshold), so a typo of a common word stops early."""

    class Backend(PostgresSearchBackend):
        max_similar = 2

    for i in range(4):
        ProductFactory(name=f"Espresso Machine {i}", category=tree["books"], description="")
    ProductFactory(name="Bread Knife", category=tree["books"], description="")
    with CaptureQueriesContext(connection) as ctx:
        found = [p.slug for p in Backend().search(Product.objects.all(), "expresso")]
    assert found == ["espresso-machine-3", "espresso-machine-2"]
    fallback = ctx.captured_queries[1]["sql"]
    assert " %> " in fallback
    assert "LIMIT 2" in fallback
    assert "word_similarity(" not in fallback.lower()
    # The default keeps the threshold's meaning: the typo still finds them all.
    assert len(list(PostgresSearchBackend().search(Product.objects.all(), "expresso"))) == 4


def test_the_ids_a_search_keeps_are_one_parameter(tree, api_client):
    """The first matches' ids reach the page query and its count as one array
    (``= ANY(%s)``), not as a placeholder and a parameter each."""
    for i in range(30):
        ProductFactory(name=f"Kettle {i}", category=tree["books"], description="")
    sent = []

    def record(execute, sql, params, many, context):
        sent.append(len(params or ()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        body = api_client.get("/api/products/?search=kettle&page_size=5").json()
    assert body["count"] == 30
    assert len(body["results"]) == 5
    assert max(sent) < 30, sent


def test_a_search_that_finds_nothing_queries_no_page(tree, api_client):
    ProductFactory(name="Kettle", category=tree["books"], description="")
    with CaptureQueriesContext(connection) as ctx:
        body = api_client.get("/api/products/?search=zzzzqqq").json()
    assert body["count"] == 0
    assert body["results"] == []
    # the words' first matches and the typo fallback's; no count, no page
    assert len([q for q in ctx.captured_queries if "bazary_catalog_product" in q["sql"]]) == 2
