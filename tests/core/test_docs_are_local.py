"""The API docs and every HTML page bazary serves load nothing from another host.

Each page's ``src``/``srcset`` attributes, the ``href`` of its ``<link>``s, its inline ``url(...)`` and
``@import`` and those of the stylesheets it links are collected; every one must
be relative or name the site itself. Swagger UI and ReDoc also get a
Content-Security-Policy that confines what their bundles fetch at run time.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from bazary.core.schema import docs_content_security_policy
from bazary.testing.accounts import UserFactory
from bazary.testing.catalog import CategoryFactory, ProductFactory, TagFactory

SITE = "testserver"
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+(?:url\()?\s*['"]([^'"]+)""")


class References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.stylesheets: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        # What the browser loads by itself; a link the reader may follow (<a href>) is not.
        names = ("src", "poster", "data") + (("href",) if tag in ("link", "image", "use", "base") else ())
        for name in (*names, "xlink:href"):
            if values.get(name):
                self.urls.append(values[name])  # type: ignore[arg-type]
        for candidate in (values.get("srcset") or "").split(","):
            if candidate.strip():
                self.urls.append(candidate.split()[0])
        if values.get("style"):
            self.urls.extend(css_urls(values["style"]))  # type: ignore[arg-type]
        if tag == "link" and "stylesheet" in (values.get("rel") or "") and values.get("href"):
            self.stylesheets.append(values["href"])  # type: ignore[arg-type]
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls.extend(css_urls(data))


def css_urls(css: str) -> list[str]:
    return [a or b for a, b in CSS_URL.findall(css)]


def references(html: str, page_url: str) -> list[str]:
    """Every URL the page loads, its local stylesheets' URLs included."""
    parser = References()
    parser.feed(html)
    urls = list(parser.urls)
    for href in parser.stylesheets:
        absolute = urljoin(page_url, href)
        if urlsplit(absolute).hostname == SITE and absolute.startswith("http://testserver/static/"):
            path = finders.find(urlsplit(absolute).path.removeprefix("/static/"))
            assert path, f"{href} is not a static file"
            with open(path, encoding="utf-8") as css:
                urls.extend(urljoin(absolute, url) for url in css_urls(css.read()))
    return urls


def foreign(urls: list[str], page_url: str) -> list[str]:
    out = []
    for url in urls:
        if url.startswith(("data:", "#", "javascript:", "mailto:")):
            continue
        host = urlsplit(urljoin(page_url, url)).hostname
        if host != SITE:
            out.append(url)
    return out


def test_the_scanner_finds_what_drf_spectacular_s_own_redoc_page_loads(rf):
    # drf-spectacular's template, as bazary served it before: the fonts are found.
    from django.template.loader import render_to_string

    html = render_to_string("drf_spectacular/redoc.html", {"redoc_standalone": "/static/x.js", "schema_url": "/s/"})
    found = foreign(references(html, "http://testserver/api/redoc/"), "http://testserver/api/redoc/")
    assert any("fonts.googleapis.com" in url for url in found)
    assert css_urls("a{background:url('https://x.example/a.png')} @import 'https://y.example/b.css';") == [
        "https://x.example/a.png",
        "https://y.example/b.css",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_docs_pages_reference_only_the_site(client, path):
    response = client.get(path)
    assert response.status_code == 200
    page_url = f"http://testserver{path}"
    urls = references(response.content.decode(), page_url)
    assert any("drf_spectacular_sidecar" in url for url in urls)  # the scan saw the viewer's assets
    assert foreign(urls, page_url) == []
    assert "fonts.googleapis" not in response.content.decode()
    assert "fonts.gstatic" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_docs_pages_may_load_from_the_site_only(client, path):
    # The bundles fetch things of their own at run time (ReDoc the Redocly logo
    # from cdn.redoc.ly, Swagger UI its validator badge): the policy stops them.
    policy = client.get(path)["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["img-src"] == "'self' data:"
    assert directives["connect-src"] == "'self'"
    assert "https:" not in policy
    assert "*" not in policy


@pytest.mark.django_db
def test_swagger_ui_does_not_send_the_schema_url_to_the_online_validator(client):
    html = client.get("/api/docs/").content.decode()
    settings_json = re.search(r"const swaggerSettings = (\{.*?\});", html, re.S)
    assert settings_json, html
    assert json.loads(settings_json.group(1))["validatorUrl"] is None


@pytest.mark.django_db
def test_a_project_may_still_name_its_own_validator(client, monkeypatch):
    from drf_spectacular.settings import spectacular_settings

    # drf-spectacular reads SPECTACULAR_SETTINGS once (no setting_changed reload).
    monkeypatch.setattr(spectacular_settings, "SWAGGER_UI_SETTINGS", {"validatorUrl": "/my-validator/"})
    html = client.get("/api/docs/").content.decode()
    assert '"validatorUrl": "/my-validator/"' in html


@override_settings(STATIC_URL="https://static.example.com/static/")
def test_a_static_host_is_allowed_by_the_policy():
    policy = docs_content_security_policy()
    assert "script-src 'self' https://static.example.com 'unsafe-inline'" in policy


def get_routes() -> list[tuple[str, URLPattern]]:
    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, ns)
            elif pattern.name:
                yield f"{namespace}{pattern.name}", pattern

    return list(walk(get_resolver("bazary.urls").url_patterns, ""))


@pytest.mark.django_db
def test_every_browsable_api_page_references_only_the_site(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    ProductFactory(slug="local", category=CategoryFactory(slug="local"))
    TagFactory(slug="local")
    client.force_login(admin)
    seen = 0
    for name, pattern in get_routes():
        params = set(pattern.pattern.regex.groupindex)
        if params - {"slug"}:
            continue  # ids of rows this test does not make; the page template is the same
        url = reverse(name, kwargs={"slug": "local"} if params else {})
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code < 500, url
        if not response["Content-Type"].startswith("text/html"):
            continue
        seen += 1
        page_url = f"http://testserver{url}"
        assert foreign(references(response.content.decode(), page_url), page_url) == [], url
    assert seen >= 10
