"""The baseline: plain Django views, ``.values()`` and ``JsonResponse``.

Each view runs the same SQL as the bazary endpoint it stands for (same filters,
same search expression, same number of queries) and returns the same JSON
shape, without DRF, serializers, django-filter, content negotiation or ETags.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, Q, Subquery, Window
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from bazary.catalog.models import ProductImage, Tag, get_category_model, get_product_model
from bazary.catalog.search import RANK, PostgresSearchBackend
from bazary.catalog.tree import cached_tree

LIST_FIELDS = (
    "id",
    "slug",
    "name",
    "sku",
    "price",
    "compare_at_price",
    "currency",
    "stock",
    "low_stock_threshold",
    "track_inventory",
    "is_active",
    "is_featured",
    "attributes",
    "seo_title",
    "seo_description",
    "created_at",
    "updated_at",
    "category_id",
    "category__slug",
    "category__name",
)


def _json(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, encoder=DjangoJSONEncoder, safe=False, status=status)


def _url(request: HttpRequest, name: str) -> str:
    url = default_storage.url(name)
    return request.build_absolute_uri(url) if url.startswith("/") else url


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(value), low), high) if value else default
    except ValueError:
        raise Http404 from None


def _visible() -> Any:
    # The library's visibility rule (active product, category and ancestors): the same SQL as the API.
    return get_product_model()._default_manager.visible()


def _items(request: HttpRequest, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of the page plus their tags and primary images: two more queries."""
    ids = [row["id"] for row in rows]
    through = get_product_model()._meta.get_field("tags").remote_field.through
    tags: dict[int, list[dict[str, str]]] = {pk: [] for pk in ids}
    for link in (
        through.objects.filter(product_id__in=ids).order_by("tag__name").values("product_id", "tag__slug", "tag__name")
    ):
        tags[link["product_id"]].append({"slug": link["tag__slug"], "name": link["tag__name"]})
    images = {
        image["product_id"]: {"url": _url(request, image["image"]), "alt_text": image["alt_text"]}
        for image in ProductImage.objects.filter(product_id__in=ids, is_primary=True).values(
            "product_id", "image", "alt_text"
        )
    }
    items = []
    for row in rows:
        item = {key: row[key] for key in LIST_FIELDS[:12]}
        item["in_stock"] = not row["track_inventory"] or row["stock"] > 0
        item["category"] = {"id": row["category_id"], "slug": row["category__slug"], "name": row["category__name"]}
        item["tags"] = tags[row["id"]]
        item["attributes"] = row["attributes"]
        item["primary_image"] = images.get(row["id"])
        for key in ("seo_title", "seo_description", "created_at", "updated_at"):
            item[key] = row[key]
        items.append(item)
    return items


def _filtered(request: HttpRequest) -> Any:
    qs = _visible()
    params = request.GET
    if params.get("category"):
        path = Subquery(get_category_model()._default_manager.filter(slug=params["category"]).values("path")[:1])
        qs = qs.filter(category__path__startswith=path)
    try:
        if params.get("min_price"):
            qs = qs.filter(price__gte=Decimal(params["min_price"]))
        if params.get("max_price"):
            qs = qs.filter(price__lte=Decimal(params["max_price"]))
    except InvalidOperation:
        raise Http404 from None
    if params.get("in_stock") == "true":
        qs = qs.filter(Q(track_inventory=False) | Q(stock__gt=0))
    search = params.get("search", "").strip()
    if search:
        return PostgresSearchBackend().search(qs, search)
    return qs.order_by("-created_at", "-id")


def _page(rows: Any, page: int, size: int, capped: bool = False) -> tuple[int, list[dict[str, Any]]]:
    """The count and the rows of one page (404 past the last), counted as
    the API counts: a search's rows, which are all read to rank them, in the
    page's own query (``COUNT(*) OVER ()``, as SearchCountPaginator); any
    other list first, exactly or (``capped``, as CatalogCappedCountPagination)
    over at most 10,001 rows without the ordering (any 10,001 matches will do)."""
    bottom = (page - 1) * size
    if RANK in rows.query.annotations:
        found = list(rows.annotate(_total=Window(Count("*")))[bottom : bottom + size])
        if found:
            count = found[0]["_total"]
            for row in found:
                del row["_total"]
            return (min(count, 10_000) if capped else count), found
    count = min(rows.order_by()[:10_001].count(), 10_000) if capped else rows.count()
    if bottom >= max(count, 1):
        raise Http404
    return count, list(rows[bottom : bottom + size])


@require_GET
def product_list(request: HttpRequest) -> JsonResponse:
    qs = _filtered(request)
    size = _int(request.GET.get("page_size"), 20, 1, 100)
    cursor = request.GET.get("cursor")
    if cursor is not None or request.GET.get("pagination") == "cursor":
        # Keyset, as DRF's CursorPagination on (-created_at): no count.
        if cursor:
            position = urllib.parse.parse_qs(base64.b64decode(cursor).decode())["p"][0]
            qs = qs.filter(created_at__lt=position)
        rows = list(qs.values(*LIST_FIELDS)[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        next_cursor = None
        if more:
            token = urllib.parse.urlencode({"p": str(rows[-1]["created_at"])})
            next_cursor = base64.b64encode(token.encode()).decode()
        return _json({"next": next_cursor, "previous": None, "results": _items(request, rows)})
    page = _int(request.GET.get("page"), 1, 1, 10**9)
    count, rows = _page(qs.values(*LIST_FIELDS), page, size, capped=request.GET.get("count") == "capped")
    return _json({"count": count, "next": None, "previous": None, "results": _items(request, rows)})


@require_GET
def product_detail(request: HttpRequest, slug: str) -> JsonResponse:
    row = _visible().filter(slug=slug).values(*LIST_FIELDS, "description", "category__path").first()
    if row is None:
        raise Http404
    (item,) = _detail_items(request, row)
    return _json(item)


def _detail_items(request: HttpRequest, row: dict[str, Any]) -> list[dict[str, Any]]:
    pk = row["id"]
    ids = [int(part) for part in row["category__path"].split("/") if part][:-1]
    known = get_category_model()._default_manager.in_bulk(ids) if ids else {}
    ancestors = [{"id": a.pk, "slug": a.slug, "name": a.name} for a in (known[i] for i in ids if i in known)]
    images = [
        {**image, "url": _url(request, image.pop("image"))}
        for image in ProductImage.objects.filter(product_id=pk).values(
            "id", "image", "alt_text", "position", "is_primary", "width", "height", "created_at"
        )
    ]
    tags = list(Tag.objects.filter(products=pk).values("slug", "name"))
    item = {key: row[key] for key in LIST_FIELDS[:12]}
    item.update(
        description=row["description"],
        in_stock=not row["track_inventory"] or row["stock"] > 0,
        category={"id": row["category_id"], "slug": row["category__slug"], "name": row["category__name"]}
        | {"ancestors": ancestors},
        tags=tags,
        attributes=row["attributes"],
        primary_image=next(({"url": i["url"], "alt_text": i["alt_text"]} for i in images if i["is_primary"]), None),
        images=images,
        seo_title=row["seo_title"],
        seo_description=row["seo_description"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
    return [item]


@require_GET
def category_tree(request: HttpRequest) -> JsonResponse:
    tree, _version = cached_tree(active_only=True)
    return _json(tree)


@csrf_exempt
@require_POST
def login(request: HttpRequest) -> JsonResponse:
    body = json.loads(request.body)
    user = get_user_model()._default_manager.filter(email=body["email"], is_active=True).first()
    if user is None or not user.check_password(body["password"]):
        return _json({"detail": "No active account found with the given credentials."}, status=401)
    refresh = RefreshToken.for_user(user)
    return _json({"access": str(refresh.access_token), "refresh": str(refresh)})


@csrf_exempt
@require_POST
def refresh(request: HttpRequest) -> JsonResponse:
    body = json.loads(request.body)
    try:
        with transaction.atomic():
            token = RefreshToken(body["refresh"])  # signature, expiry, blacklist
            user = get_user_model()._default_manager.get(pk=token["user_id"])
            token.blacklist()
            new = RefreshToken.for_user(user)
    except (TokenError, KeyError, get_user_model().DoesNotExist):
        return _json({"detail": "Token is invalid, expired or revoked."}, status=401)
    return _json({"access": str(new.access_token), "refresh": str(new)})
