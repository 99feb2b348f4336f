"""A real browser (Debian's Chromium, driven by Playwright) on the deployed site."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import requests
from PIL import Image

from .conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Site, requires_chromium

pytestmark = requires_chromium


def operations(site: Site) -> list[tuple[str, str]]:
    schema = requests.get(site.url("/api/v1/schema/?format=json"), timeout=20).json()
    methods = {"get", "post", "put", "patch", "delete"}
    return [(path, method) for path, item in schema["paths"].items() for method in item if method in methods]


def scroll_until(page, locator, step: int = 600) -> None:
    """Scroll the page down as a reader does until ``locator`` is rendered.

    Swagger UI (5.33 and later) renders its operations list virtualised once it
    has 150 rows or more (tags plus operations): only the rows near the viewport
    are in the DOM, the others appear as the page scrolls.
    """
    for _ in range(200):
        if locator.count():
            return
        page.mouse.wheel(0, step)
        page.wait_for_timeout(50)
    locator.first.wait_for(timeout=1_000)


#: The element id ("operations-<tag>-<operationId>") of each operation in the DOM.
RENDERED_IDS = """els => els.map(e => e.closest("[id^='operations-']").id)"""


def test_swagger_ui_renders_every_operation(site: Site, page):
    expected = operations(site)
    page.goto(site.url("/api/v1/docs/"))
    page.wait_for_selector(".opblock")
    # Every operation must be rendered at some point while the reader scrolls to
    # the end (a schema construct Swagger UI cannot render leaves a gap).
    seen: set[str] = set()
    for _ in range(400):
        seen.update(page.locator(".opblock").evaluate_all(RENDERED_IDS))
        page.mouse.wheel(0, 500)
        page.wait_for_timeout(50)
        if page.evaluate("() => innerHeight + scrollY >= document.documentElement.scrollHeight - 1"):
            page.wait_for_timeout(300)
            seen.update(page.locator(".opblock").evaluate_all(RENDERED_IDS))
            break
    # Swagger UI's element ids are "operations-<tag>-<operationId>".
    schema = requests.get(site.url("/api/v1/schema/?format=json"), timeout=20).json()
    missing = [
        (path, method)
        for path, method in expected
        if not any(seen_id.endswith("-" + schema["paths"][path][method]["operationId"]) for seen_id in seen)
    ]
    assert missing == []
    assert len(seen) == len(expected)


def test_redoc_renders_every_operation_with_nothing_from_another_host(site: Site, page):
    # Without bazary's template ReDoc pulled Google Fonts, and without the page's
    # Content-Security-Policy its bundle fetched the Redocly logo from
    # cdn.redoc.ly; the page fixture fails on any request that leaves the site.
    page.goto(site.url("/api/v1/redoc/"))
    from playwright.sync_api import expect

    expect(page.locator("[data-section-id^='operation/']")).to_have_count(len(operations(site)), timeout=30_000)


def test_authorize_with_a_jwt_and_list_products_from_swagger_ui(site: Site, page):
    token = site.token()
    page.goto(site.url("/api/v1/docs/"))
    page.wait_for_selector(".opblock")

    page.click("button.authorize")
    # The JWT scheme's form (the session cookie scheme has its own).
    scheme = page.locator(".dialog-ux .auth-container", has_text="jwtAuth")
    scheme.locator("input").first.fill(token)
    scheme.locator("button.authorize").click()
    page.locator(".dialog-ux button.btn-done").first.click()

    operation = page.locator("[id^='operations-'][id$='-products_list']").first
    scroll_until(page, operation)
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    with page.expect_request(lambda r: "/api/v1/products/" in r.url) as request_info:
        operation.locator("button.execute").click()
    assert request_info.value.headers.get("authorization") == f"Bearer {token}"
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip().startswith("200")


def test_admin_login_and_create_a_product_with_an_image(site: Site, page, tmp_path: Path, admin_headers):
    slug = f"admin-cat-{uuid.uuid4().hex[:6]}"
    response = requests.post(
        site.url("/api/v1/categories/"), json={"name": slug, "slug": slug}, headers=admin_headers, timeout=10
    )
    assert response.status_code == 201, response.text
    image = tmp_path / "photo.png"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(buffer, format="PNG")
    image.write_bytes(buffer.getvalue())

    page.goto(site.url("/admin/login/"))
    page.fill("input[name=username]", ADMIN_EMAIL)
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")

    name = f"Admin lamp {uuid.uuid4().hex[:6]}"
    page.goto(site.url("/admin/bazary_catalog/product/add/"))
    page.fill("input[name=name]", name)
    page.fill("input[name=sku]", f"ADM-{uuid.uuid4().hex[:8]}")
    page.fill("input[name=price]", "12.50")
    # The category field is an autocomplete (select2) that asks the admin over AJAX.
    page.locator(".field-category .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(slug)
    page.locator(".select2-results__option", has_text=slug).click()
    page.locator("#images-group .add-row a").click()
    page.locator("#images-group input[type=file][name$='-0-image']").set_input_files(str(image))
    page.click("input[name=_save]")
    try:
        page.wait_for_selector(".messagelist .success")
    except Exception:
        page.screenshot(path=str(tmp_path / "admin-save.png"), full_page=True)
        print(f"screenshot: {tmp_path / 'admin-save.png'}; errors: {page.locator('.errorlist').all_inner_texts()}")
        raise

    response = requests.get(site.url("/api/v1/products/"), params={"search": name}, headers=admin_headers, timeout=10)
    (product,) = response.json()["results"]
    assert product["primary_image"] is not None
    assert requests.get(product["primary_image"]["url"], timeout=10).content == image.read_bytes()
