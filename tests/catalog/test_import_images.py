"""Images of an import (Shopify's Image Src / Variant Image, the images of
bazary's format), downloaded from a real HTTP server on 127.0.0.1 (see
image_server.py) through bazary.core.outbound."""

from __future__ import annotations

import io
import json

import pytest
from django.core.checks import run_checks
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from PIL import Image

from bazary.catalog.images import check_image_file
from bazary.catalog.models import Product, ProductImage, Variant
from bazary.testing.catalog import ProductFactory, image_bytes

from .conftest import client_for, make_user
from .image_server import Route, write_sample

pytestmark = pytest.mark.django_db

STORED = "bazary/catalog/products"


def stored_files() -> set[str]:
    """Every file in the product images' folder of the storage in use."""
    storage = ProductImage._meta.get_field("image").storage
    try:
        _dirs, files = storage.listdir(STORED)
    except FileNotFoundError:
        return set()
    return set(files)


def import_file(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("bazary_import_products", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing_import(path, *args):
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("bazary_import_products", str(path), *args, stdout=io.StringIO(), stderr=err)
    return err.getvalue()


def test_the_shopify_sample_brings_its_images(shopify_sample, image_server):
    before = stored_files()
    out, _ = import_file(shopify_sample, "--format", "shopify")
    assert "3 created" in out
    assert "4/4 images" in out  # the progress line of the downloads
    tee = Product.objects.get(slug="organic-cotton-tee")
    images = list(tee.images.order_by("position"))
    assert [(i.alt_text, i.position, i.is_primary) for i in images] == [
        ("Black tee", 1, True),
        ("", 2, False),
        ("White tee", 3, False),
    ]
    assert [i.source_url for i in images] == [
        image_server.url(path) for path in ("/tee-black.jpg", "/tee-black-back.jpg", "/tee-white.jpg")
    ]
    for image in images:
        # Stored under a fresh random name, with its dimensions, decodable as the JPEG served.
        assert image.image.name.startswith(f"{STORED}/")
        assert image.image.name.endswith(".jpg")
        assert "tee" not in image.image.name
        assert (image.width, image.height) == (16, 12)
        with image.image.open("rb") as handle, Image.open(handle) as decoded:
            assert decoded.format == "JPEG"
    colours = {i.source_url.rsplit("/", 1)[1]: i for i in images}
    with colours["tee-white.jpg"].image.open("rb") as handle, Image.open(handle) as decoded:
        assert decoded.convert("RGB").getpixel((8, 6)) > (240, 240, 240)
    # Variant Image links the variant to its product's image.
    variants = {v.sku: v for v in Variant.objects.filter(product=tee)}
    assert list(variants["TEE-S-BLK"].images.all()) == [colours["tee-black.jpg"]]
    assert list(variants["TEE-L-WHT"].images.all()) == [colours["tee-white.jpg"]]
    assert not variants["TEE-M-BLK"].images.exists()
    mug = Product.objects.get(sku="MUG-1")
    assert [(i.alt_text, i.is_primary) for i in mug.images.all()] == [("Mug", True)]
    assert not Product.objects.get(slug="gift-card").images.exists()
    assert len(stored_files() - before) == 4


def test_a_downloaded_image_is_opened_by_its_check_alone(shopify_sample, monkeypatch):
    """The format and size stored come from the upload check's own read: the
    import opens a downloaded file no more often than checking one upload does."""
    opened = []
    real_open = Image.open

    def counting_open(*args, **kwargs):
        opened.append(args[0])
        return real_open(*args, **kwargs)

    monkeypatch.setattr(Image, "open", counting_open)
    check_image_file(SimpleUploadedFile("x.jpg", image_bytes("JPEG", size=(16, 12))))
    per_check = len(opened)
    assert per_check
    opened.clear()
    import_file(shopify_sample, "--format", "shopify")
    assert ProductImage.objects.count() == 4
    assert len(opened) == 4 * per_check


def test_importing_the_same_file_again_adds_no_image(shopify_sample, image_server):
    import_file(shopify_sample, "--format", "shopify")
    names = set(ProductImage.objects.values_list("pk", "image"))
    requests = len(image_server.requests)
    files = stored_files()
    out, _ = import_file(shopify_sample, "--format", "shopify")
    assert "0 created, 3 updated" in out
    assert set(ProductImage.objects.values_list("pk", "image")) == names
    assert len(image_server.requests) == requests  # nothing downloaded again
    assert stored_files() == files
    tee = Product.objects.get(slug="organic-cotton-tee")
    assert tee.images.filter(is_primary=True).count() == 1
    assert Variant.objects.get(sku="TEE-S-BLK").images.count() == 1


def test_a_re_import_updates_alt_text_and_position_in_place(shopify_sample, image_server, tmp_path):
    import_file(shopify_sample, "--format", "shopify")
    text = shopify_sample.read_text().replace(",1,Mug,", ",4,A camp mug,")
    changed = tmp_path / "changed.csv"
    changed.write_text(text)
    import_file(changed, "--format", "shopify")
    (image,) = Product.objects.get(sku="MUG-1").images.all()
    assert (image.alt_text, image.position, image.is_primary) == ("A camp mug", 4, True)


def test_the_http_import_job_downloads_the_images(shopify_sample, django_capture_on_commit_callbacks):
    client = client_for(make_user("importer", staff=True, perms=("add_product",)))
    upload = SimpleUploadedFile("products_export.csv", shopify_sample.read_bytes(), "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/products/import/", {"file": upload, "format": "shopify"}, format="multipart")
    assert response.status_code == 202
    job = client.get(response.json()["url"]).json()
    assert (job["status"], job["created"]) == ("succeeded", 3)
    assert ProductImage.objects.count() == 4
    detail = client.get("/api/products/organic-cotton-tee/").json()
    assert [image["alt_text"] for image in detail["images"]] == ["Black tee", "", "White tee"]


def bad_sample(image_server, tmp_path, route: Route | None, *, path: str = "/gift.jpg"):
    """The sample with an image on its last product (the gift card, line 7)
    that ``route`` serves (None: nothing, a 404)."""
    if route is not None:
        image_server.routes[path] = route
    text = write_sample(image_server, tmp_path).read_text()
    lines = text.splitlines()
    cells = lines[-1].split(",")
    cells[25] = image_server.url(path)  # Image Src
    lines[-1] = ",".join(cells)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    return bad


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (None, "answered HTTP 404"),
        (Route(200, b"<html>not an image</html>", {"Content-Type": "image/jpeg"}), "not an image"),
        (Route(200, image_bytes("PNG", size=(400, 400)) + bytes(40_000)), "is larger than"),
        (Route(200, image_bytes("JPEG"), delay=3), "did not answer within"),
        (Route(302, headers={"Location": "/gift.jpg"}), "redirects more than 3 times"),
    ],
    ids=["404", "not-an-image", "oversize", "timeout", "redirect-loop"],
)
def test_a_bad_image_is_a_row_error_and_nothing_is_imported(image_server, tmp_path, settings, route, message):
    settings.BAZARY_CATALOG = {**settings.BAZARY_CATALOG, "IMPORT_IMAGE_MAX_BYTES": 30_000, "IMPORT_IMAGE_TIMEOUT": 1}
    before = stored_files()
    err = failing_import(bad_sample(image_server, tmp_path, route), "--format", "shopify")
    assert "line 7:" in err
    assert message in err
    assert "line 2:" not in err  # the good images are no error
    assert not Product.objects.exists()
    assert not ProductImage.objects.exists()
    # The sample's good images were downloaded and stored first: deleted again.
    assert any(path.endswith("/mug.jpg") for path in image_server.requests)
    assert stored_files() == before


def test_a_private_address_is_refused_unless_allowed(image_server, tmp_path, settings):
    settings.BAZARY_CATALOG = {**settings.BAZARY_CATALOG, "IMPORT_ALLOW_PRIVATE_NETWORKS": False}
    path = bad_sample(image_server, tmp_path, Route(200, image_bytes("JPEG")))
    text = path.read_text().replace("http://127.0.0.1", "https://127.0.0.1")
    path.write_text(text)
    requests = len(image_server.requests)
    err = failing_import(path, "--format", "shopify")
    assert "line 2:" in err
    assert "line 6:" in err
    assert "line 7:" in err
    assert "non-public address" in err
    assert "IMPORT_ALLOW_PRIVATE_NETWORKS" in err
    assert len(image_server.requests) == requests  # refused before any connection
    assert not Product.objects.exists()


def test_plain_http_is_refused_when_private_networks_are_not_allowed(image_server, tmp_path, settings):
    settings.BAZARY_CATALOG = {**settings.BAZARY_CATALOG, "IMPORT_ALLOW_PRIVATE_NETWORKS": False}
    path = write_sample(image_server, tmp_path)
    err = failing_import(path, "--format", "shopify")
    assert "scheme must be https" in err
    assert not image_server.requests


def test_a_redirect_is_followed(image_server, tmp_path):
    image_server.routes["/moved.jpg"] = Route(301, headers={"Location": "/mug.jpg"})
    path = write_sample(image_server, tmp_path)
    path.write_text(path.read_text().replace("/mug.jpg", "/moved.jpg"))
    import_file(path, "--format", "shopify")
    (image,) = Product.objects.get(sku="MUG-1").images.all()
    assert image.source_url == image_server.url("/moved.jpg")
    # Only the redirect leads to /mug.jpg in this file.
    assert image_server.requests.count("/moved.jpg") == image_server.requests.count("/mug.jpg") == 1


def test_a_conflict_found_by_the_write_leaves_no_file(image_server, tmp_path):
    """A row only the write finds wrong (RowConflict) rolls the import back:
    the images downloaded for it are deleted too."""
    tee = ProductFactory(sku="TEE", slug="tee", price="10.00")
    from bazary.catalog.models import Option, OptionValue

    size = Option.objects.create(name="Size")
    small = OptionValue.objects.create(option=size, name="S")
    tee.options.add(size)
    variant = Variant.objects.create(product=tee, sku="TEE-A")
    variant.set_option_values([small])
    rows = [
        {
            "sku": "TEE",
            "name": "Tee",
            "price": "10.00",
            "category": "Shirts",
            "options": ["Size"],
            # The first finds TEE-A by its SKU, the second by its combination: the same variant twice.
            "variants": [{"sku": "TEE-A", "options": {"Size": "M"}}, {"options": {"Size": "S"}}],
            "images": [{"url": image_server.url("/tee-black.jpg")}],
        }
    ]
    path = tmp_path / "rows.json"
    path.write_text(json.dumps(rows))
    before = stored_files()
    err = failing_import(path)
    assert "line 1:" in err
    assert "/tee-black.jpg" in image_server.requests
    assert stored_files() == before
    assert not ProductImage.objects.exists()


def test_bazary_s_own_format_takes_images_too(image_server, tmp_path):
    black, white = image_server.url("/tee-black.jpg"), image_server.url("/tee-white.jpg")
    rows = [
        {
            "sku": "TEE",
            "name": "Tee",
            "price": "10.00",
            "category": "Shirts",
            "options": ["Colour"],
            "variants": [
                {"sku": "TEE-B", "options": {"Colour": "Black"}, "image": black},
                {"sku": "TEE-W", "options": {"Colour": "White"}, "image": white},
            ],
            "images": [
                {"url": black, "alt_text": "Black", "position": 1},
                {"url": white, "alt_text": "White", "position": 0},
            ],
        }
    ]
    path = tmp_path / "rows.json"
    path.write_text(json.dumps(rows))
    import_file(path)
    tee = Product.objects.get(sku="TEE")
    # The first by position is the primary image.
    assert [(i.alt_text, i.position, i.is_primary) for i in tee.images.order_by("position")] == [
        ("White", 0, True),
        ("Black", 1, False),
    ]
    assert Variant.objects.get(sku="TEE-W").images.get().alt_text == "White"
    # The CSV format reads the same list from a JSON cell.
    csv_path = tmp_path / "rows.csv"
    cell = json.dumps([{"url": image_server.url("/mug.jpg"), "alt_text": "Mug"}]).replace('"', '""')
    csv_path.write_text(f'sku,name,price,category,images\nMUG,Mug,5.00,Kitchen,"{cell}"\n')
    import_file(csv_path)
    assert Product.objects.get(sku="MUG").images.get().alt_text == "Mug"


@pytest.mark.parametrize(
    ("images", "variant_image", "message"),
    [
        ([{"url": "/x.jpg"}] * 2, None, "Duplicate image URL"),
        ([{"url": "/x.jpg"}], "/y.jpg", "one of the row's images"),
        ([{"url": f"/{n}.jpg"} for n in range(3)], None, "At most 2 images"),
    ],
    ids=["duplicate", "variant-image-not-among-images", "too-many"],
)
def test_images_of_a_row_are_validated(image_server, tmp_path, settings, images, variant_image, message):
    settings.BAZARY_CATALOG = {**settings.BAZARY_CATALOG, "IMPORT_MAX_IMAGES_PER_PRODUCT": 2}
    variant = {"sku": "V", "options": {"Size": "S"}}
    if variant_image:
        variant["image"] = image_server.url(variant_image)
    row = {
        "sku": "P",
        "name": "P",
        "price": "1.00",
        "category": "C",
        "options": ["Size"],
        "variants": [variant],
        "images": [{"url": image_server.url(image["url"])} for image in images],
    }
    path = tmp_path / "rows.json"
    path.write_text(json.dumps([row]))
    err = failing_import(path)
    assert "line 1:" in err
    assert message in err
    assert not image_server.requests


def test_with_image_imports_off_nothing_is_downloaded(shopify_sample, image_server, settings):
    settings.BAZARY_CATALOG = {**settings.BAZARY_CATALOG, "IMPORT_IMAGES": False}
    out, _ = import_file(shopify_sample, "--format", "shopify")
    assert "3 created" in out
    assert not image_server.requests
    assert not ProductImage.objects.exists()


def test_a_dry_run_reports_a_bad_image_and_leaves_nothing(image_server, tmp_path):
    """The dry run downloads and checks the images: the 404 of line 7 is its
    row error, as in the real import, and no row or file is left."""
    before = stored_files()
    err = failing_import(bad_sample(image_server, tmp_path, None), "--format", "shopify", "--dry-run")
    assert "line 7:" in err
    assert "answered HTTP 404" in err
    assert "line 2:" not in err
    assert "/gift.jpg" in image_server.requests
    assert not Product.objects.exists()
    assert not ProductImage.objects.exists()
    assert stored_files() == before


def test_a_dry_run_gives_the_errors_of_the_real_import(image_server, tmp_path, settings):
    from bazary.catalog.transfer import import_products

    settings.BAZARY_CATALOG = {**settings.BAZARY_CATALOG, "IMPORT_IMAGE_MAX_BYTES": 30_000}
    path = bad_sample(image_server, tmp_path, Route(200, b"<html>not an image</html>"))
    text = path.read_text().replace("/mug.jpg", "/huge.png")  # line 6 too big, line 7 not an image
    image_server.routes["/huge.png"] = Route(200, image_bytes("PNG", size=(400, 400)) + bytes(40_000))
    dry = import_products(io.StringIO(text, newline=""), "shopify", dry_run=True)
    assert [line for line, _ in dry.errors] == [6, 7]
    assert "is larger than" in str(dry.errors[0][1])
    assert "not an image" in str(dry.errors[1][1])
    real = import_products(io.StringIO(text, newline=""), "shopify")
    assert real.errors == dry.errors
    assert not Product.objects.exists()


def test_a_dry_run_of_a_good_file_downloads_its_images_and_stores_none(shopify_sample, image_server):
    before = stored_files()
    out, _ = import_file(shopify_sample, "--format", "shopify", "--dry-run")
    assert "dry run" in out
    assert "4/4 images" in out
    assert sorted(image_server.requests) == sorted(
        ["/tee-black.jpg", "/tee-black-back.jpg", "/tee-white.jpg", "/mug.jpg"]
    )
    assert stored_files() == before
    assert not Product.objects.exists()
    assert not ProductImage.objects.exists()


def test_a_dry_run_with_image_imports_off_downloads_nothing(shopify_sample, image_server, settings):
    settings.BAZARY_CATALOG = {**settings.BAZARY_CATALOG, "IMPORT_IMAGES": False}
    out, _ = import_file(shopify_sample, "--format", "shopify", "--dry-run")
    assert "dry run" in out
    assert not image_server.requests


def _ids(settings_dict):
    from django.test import override_settings

    with override_settings(BAZARY_CATALOG=settings_dict):
        return {message.id for message in run_checks(tags=["bazary"])}


def test_system_checks_of_the_import_image_settings():
    assert "bazary_catalog.W025" in _ids({"IMPORT_IMAGE_MAX_BYTES": 10, "IMAGE_MAX_BYTES": 5})
    assert "bazary_catalog.W025" not in _ids({"IMPORT_IMAGE_MAX_BYTES": 5, "IMAGE_MAX_BYTES": 5})
    assert "bazary_catalog.E022" in _ids({"IMPORT_IMAGE_MAX_BYTES": 0})
    assert "bazary_catalog.E023" in _ids({"IMPORT_IMAGE_TIMEOUT": 0})
    assert "bazary_catalog.E024" in _ids({"IMPORT_MAX_IMAGES_PER_PRODUCT": 0})
    assert not {"bazary_catalog.E022", "bazary_catalog.E023", "bazary_catalog.E024", "bazary_catalog.W025"} & _ids({})


class WatchedRoutes(dict):
    """The server's routes, noting the job's live progress at each request."""

    def __init__(self, routes, progress_key):
        super().__init__(routes)
        self.progress_key = progress_key
        self.seen: list = []

    def get(self, path, default=None):
        from django.core.cache import cache

        self.seen.append(cache.get(self.progress_key))
        return super().get(path, default)


def test_the_job_reports_the_image_downloads_as_their_own_phase(image_server):
    """While images download, the job's progress says so (URLs done of all)
    instead of staying at ``validating``."""
    from django.core.files.base import ContentFile

    from bazary.catalog.importimages import WORKERS
    from bazary.catalog.imports import PROGRESS_KEY, run
    from bazary.catalog.models import ImportJob

    count = WORKERS * 2 + 2  # more than one batch of downloads
    body = image_bytes("JPEG", size=(8, 8), color="red")
    rows = [
        {
            "sku": f"P-{n}",
            "name": f"Poster {n}",
            "price": "5.00",
            "category": "Posters",
            "images": [{"url": image_server.url(f"/{n}.jpg")}],
        }
        for n in range(count)
    ]
    job = ImportJob.objects.create(format="json", file=ContentFile(json.dumps(rows).encode(), name="rows.json"))
    routes = {f"/{n}.jpg": Route(200, body, {"Content-Type": "image/jpeg"}) for n in range(count)}
    image_server.routes = watched = WatchedRoutes(routes, PROGRESS_KEY.format(id=job.pk))

    assert run(str(job.pk)) == ImportJob.Status.SUCCEEDED
    # The second batch's requests see the first batch reported.
    assert {"phase": "images", "done": WORKERS * 2, "total": count} in watched.seen
    assert ProductImage.objects.count() == count


def exported_tee():
    """A product with two images (the back one linked to a variant)."""
    from bazary.catalog.models import OptionValue
    from bazary.testing.catalog import OptionFactory, ProductImageFactory, VariantFactory

    size = OptionFactory(name="Size", values=["S", "M"])
    small, medium = OptionValue.objects.filter(option=size).order_by("position")
    tee = ProductFactory(name="Tee", sku="TEE", price="10.00", stock=0)
    ProductImageFactory(
        product=tee, alt_text="Front", position=0, image=SimpleUploadedFile("f.png", image_bytes("PNG", size=(20, 10)))
    )
    back = ProductImageFactory(
        product=tee,
        alt_text="Back",
        position=3,
        is_primary=False,
        image=SimpleUploadedFile("b.jpg", image_bytes("JPEG", size=(8, 6), color="navy")),
    )
    VariantFactory(product=tee, sku="TEE-S", values=[small]).images.add(back)
    VariantFactory(product=tee, sku="TEE-M", values=[medium])
    return tee


def export_file(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("bazary_export_products", "--output", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def serve_exported_images(image_server):
    """The exported files' bytes on the image server, at the paths the export wrote."""
    from urllib.parse import urlsplit

    served = {}
    for image in ProductImage.objects.all():
        with image.image.open("rb") as handle:
            data = handle.read()
        path = urlsplit(image.image.storage.url(image.image.name)).path
        image_server.routes[path] = Route(200, data)
        served[path] = (image.alt_text, image.position, data)
    return served


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_then_import_elsewhere_brings_the_same_images(image_server, tmp_path, fmt, local_storage):
    """Export a product with two images, import the file into an empty
    catalog (downloading from the exported URLs, served on the loopback
    server): the same images, alt texts, positions and variant link; the
    same file again adds no image."""
    from urllib.parse import urlsplit

    from bazary.catalog.models import Category, OptionValue

    exported_tee()
    path = tmp_path / f"products.{fmt}"
    export_file(path, "--base-url", image_server.url("/"))
    served = serve_exported_images(image_server)
    # Another shop: an empty catalog (the files stay where they are served).
    Product.objects.all().delete()
    Category.objects.all().delete()
    OptionValue.objects.all().delete()
    assert not ProductImage.objects.exists()
    before = stored_files()

    out, _ = import_file(path)
    assert "1 created" in out
    tee = Product.objects.get(sku="TEE")
    images = list(tee.images.order_by("position"))
    assert [(i.alt_text, i.position, i.is_primary) for i in images] == [("Front", 0, True), ("Back", 3, False)]
    for image in images:
        with image.image.open("rb") as handle:
            assert handle.read() == served[urlsplit(image.source_url).path][2]
        assert image.image.name not in image.source_url  # a new file of this shop
    assert (images[0].width, images[0].height, images[1].width, images[1].height) == (20, 10, 8, 6)
    assert list(Variant.objects.get(sku="TEE-S").images.all()) == [images[1]]
    assert not Variant.objects.get(sku="TEE-M").images.exists()
    assert len(stored_files() - before) == 2

    requests = len(image_server.requests)
    out, _ = import_file(path)
    assert "0 created, 1 updated" in out
    assert tee.images.count() == 2
    assert len(image_server.requests) == requests


def test_an_export_imported_back_into_its_shop_downloads_nothing(image_server, tmp_path):
    """The URLs of the product's own files are its images: export, edit,
    import back adds no copy of them (and updates alt texts in place)."""
    tee = exported_tee()
    path = tmp_path / "products.json"
    export_file(path, "--base-url", image_server.url("/"))
    serve_exported_images(image_server)
    rows = json.loads(path.read_text())
    rows[0]["images"][1]["alt_text"] = "Back view"
    path.write_text(json.dumps(rows))
    files = stored_files()
    out, _ = import_file(path)
    assert "0 created, 1 updated" in out
    assert not image_server.requests
    assert [(i.alt_text, i.position) for i in tee.images.order_by("position")] == [("Front", 0), ("Back view", 3)]
    assert stored_files() == files


def test_the_command_says_when_it_writes_relative_image_urls(tmp_path, local_storage):
    from bazary.testing.catalog import ProductImageFactory

    image = ProductImageFactory()
    path = tmp_path / "products.json"
    _, err = export_file(path)
    assert "1 image URL(s) written relative" in err
    assert json.loads(path.read_text())[0]["images"][0]["url"] == f"/media/{image.image.name}"
    _, err = export_file(path, "--base-url", "https://shop.example/")
    assert not err
    assert json.loads(path.read_text())[0]["images"][0]["url"] == f"https://shop.example/media/{image.image.name}"
    with pytest.raises(CommandError, match="absolute http"):
        export_file(path, "--base-url", "shop.example")


def test_relative_image_urls_name_the_shop_s_own_files(image_server, tmp_path, local_storage):
    """An export with relative URLs imports back into its own shop (nothing
    downloaded, no copy); elsewhere (a product without that file) each is a
    row error saying to export with --base-url."""
    tee = exported_tee()
    path = tmp_path / "products.csv"
    export_file(path)
    assert "/media/bazary/catalog/products/" in path.read_text()
    out, _ = import_file(path)
    assert "0 created, 1 updated" in out
    assert tee.images.count() == 2
    assert list(Variant.objects.get(sku="TEE-S").images.values_list("alt_text", flat=True)) == ["Back"]
    assert not image_server.requests
    ProductImage.objects.all().delete()
    for args in [(), ("--dry-run",)]:
        err = failing_import(path, *args)
        assert err.count("is a relative URL") == 2
        assert "line 2:" in err
        assert "--base-url" in err
    assert not ProductImage.objects.exists()
    assert not image_server.requests
