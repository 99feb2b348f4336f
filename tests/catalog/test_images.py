"""products/{slug}/images/: upload validation, primary image, storage cleanup."""

import io
import os
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from bazary.catalog.images import check_image_file
from bazary.catalog.models import ProductImage, get_category_model
from bazary.testing.catalog import ProductImageFactory, image_bytes, image_upload, png_bomb

from .conftest import client_for

pytestmark = pytest.mark.django_db
Category = get_category_model()
URL = "/api/products/pocket-phone/images/"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF"])
def test_upload_each_allowed_type(catalog, manager_client, fmt):
    response = manager_client.post(URL, {"image": image_upload(f"x.{fmt.lower()}", fmt), "alt_text": "front"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["is_primary"] is True  # the first image of a product
    assert (body["width"], body["height"]) == (8, 8)
    assert body["url"].startswith("http")  # absolute: local files or S3
    image = ProductImage.objects.get(pk=body["id"])
    assert image.image.storage.exists(image.image.name)


def test_second_upload_is_not_primary_unless_asked(catalog, manager_client):
    first = manager_client.post(URL, {"image": image_upload()}).json()
    second = manager_client.post(URL, {"image": image_upload(), "position": 1}).json()
    assert second["is_primary"] is False
    third = manager_client.post(URL, {"image": image_upload(), "is_primary": True}).json()
    assert third["is_primary"] is True
    assert ProductImage.objects.get(pk=first["id"]).is_primary is False
    assert ProductImage.objects.filter(product=catalog["phone"], is_primary=True).count() == 1


def _file_count(_root=None):
    """Files under the product images folder of the default storage (local or S3)."""
    from django.core.files.storage import default_storage

    def walk(path):
        try:
            dirs, files = default_storage.listdir(path)
        except FileNotFoundError:
            return 0
        return len(files) + sum(walk(f"{path}/{d}") for d in dirs)

    return walk("bazary/catalog/products")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("fake.png", b"%PDF-1.4 not an image", content_type="image/png"), "valid image"),
        (
            SimpleUploadedFile("cut.png", image_bytes("PNG", size=(64, 64))[:60], content_type="image/png"),
            "valid image",
        ),
        (SimpleUploadedFile("x.bmp", image_bytes("BMP"), content_type="image/bmp"), "Unsupported"),
        (SimpleUploadedFile("x.tiff", image_bytes("TIFF"), content_type="image/tiff"), "Unsupported"),
        (SimpleUploadedFile("empty.png", b"", content_type="image/png"), ""),
    ],
)
def test_bad_files_are_400_and_leave_nothing(catalog, manager_client, settings, upload, message):
    before = _file_count()
    response = manager_client.post(URL, {"image": upload})
    assert response.status_code == 400, response.content
    assert message in str(response.json()["image"])
    assert not ProductImage.objects.exists()
    assert _file_count() == before


def test_oversize_is_400(catalog, manager_client):
    with override_settings(BAZARY_CATALOG={"IMAGE_MAX_BYTES": 100}):
        response = manager_client.post(URL, {"image": image_upload(size=(64, 64))})
    assert response.status_code == 400
    assert "larger than" in str(response.json()["image"])
    assert not ProductImage.objects.exists()


def test_image_is_required(catalog, manager_client):
    assert manager_client.post(URL, {"alt_text": "x"}).status_code == 400


def test_list_images_is_public_for_visible_products(catalog, api_client):
    ProductImageFactory(product=catalog["phone"])
    assert len(api_client.get(URL).json()["results"]) == 1
    assert api_client.get("/api/products/hidden-thing/images/").status_code == 404
    assert api_client.get("/api/products/nope/images/").status_code == 404


def test_patch_and_delete(catalog, manager_client):
    first = ProductImageFactory(product=catalog["phone"])
    second = ProductImageFactory(product=catalog["phone"], is_primary=False, position=2)
    response = manager_client.patch(f"{URL}{second.pk}/", {"alt_text": "side", "is_primary": True}, format="json")
    assert response.status_code == 200, response.json()
    first.refresh_from_db()
    assert first.is_primary is False
    second.refresh_from_db()
    assert (second.alt_text, second.is_primary) == ("side", True)

    assert manager_client.delete(f"{URL}{second.pk}/").status_code == 204
    first.refresh_from_db()
    assert first.is_primary is True  # the next image took over


def test_delete_removes_the_file(catalog, manager_client, django_capture_on_commit_callbacks):
    image = ProductImageFactory(product=catalog["phone"])
    name, storage = image.image.name, image.image.storage
    with django_capture_on_commit_callbacks(execute=True):
        assert manager_client.delete(f"{URL}{image.pk}/").status_code == 204
    assert not storage.exists(name)


def test_image_of_another_product_is_404(catalog, manager_client):
    other = ProductImageFactory(product=catalog["laptop"])
    assert manager_client.patch(f"{URL}{other.pk}/", {"alt_text": "x"}, format="json").status_code == 404
    assert manager_client.delete(f"{URL}{2**63}/").status_code == 404
    assert manager_client.delete(f"{URL}{2**64}/").status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "customer", "staff"])
def test_writes_need_staff_with_perms(catalog, customer, staff, who):
    user = {"anonymous": None, "customer": customer, "staff": staff}[who]
    expected = 401 if user is None else 403
    image = ProductImageFactory(product=catalog["phone"])
    client = client_for(user)
    assert client.post(URL, {"image": image_upload()}).status_code == expected
    assert client.patch(f"{URL}{image.pk}/", {"alt_text": "x"}, format="json").status_code == expected
    assert client.delete(f"{URL}{image.pk}/").status_code == expected


def test_upload_bumps_the_product_etag(catalog, api_client, manager_client):
    etag = api_client.get("/api/products/pocket-phone/")["ETag"]
    manager_client.post(URL, {"image": image_upload()})
    assert api_client.get("/api/products/pocket-phone/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_decompression_bomb_is_400(catalog, manager_client):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, format="PNG")  # 400 MP: Pillow refuses it
    upload = SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")
    assert manager_client.post(URL, {"image": upload}).status_code == 400


@pytest.fixture(scope="module")
def bomb():
    """9500x9500 grey: 88 KB on disk, 90 MP (above Pillow's warning threshold, below its error)."""
    return png_bomb((9500, 9500))


@pytest.mark.parametrize("url", [URL, "/api/categories/"])
def test_pillow_warning_bomb_is_400_and_leaves_nothing(catalog, manager_client, bomb, url):
    assert len(bomb) < 100_000
    before, categories = _file_count(), Category.objects.count()
    data = {"image": SimpleUploadedFile("bomb.png", bomb, content_type="image/png"), "name": "Bombs"}
    response = manager_client.post(url, data)
    assert response.status_code == 400, response.content
    assert "9500x9500 pixels" in str(response.json()["image"])
    assert not ProductImage.objects.exists()
    assert Category.objects.count() == categories
    assert _file_count() == before


def test_pillow_bomb_warning_is_a_400_even_above_image_max_pixels(catalog, manager_client, bomb):
    # With the project's limit above Pillow's threshold, Pillow's own warning still refuses it.
    with override_settings(BAZARY_CATALOG={"IMAGE_MAX_PIXELS": 10**9}):
        response = manager_client.post(URL, {"image": SimpleUploadedFile("b.png", bomb, content_type="image/png")})
    assert response.status_code == 400, response.content
    assert "9500x9500 pixels: at most 1,000,000,000 pixels" in response.json()["image"][0]
    assert not ProductImage.objects.exists()


def test_image_max_pixels_is_read_from_the_header(catalog, manager_client):
    # 6000x6000 RGBA: 36 MP, under Pillow's threshold, over the default 25 MP.
    upload = SimpleUploadedFile("big.png", png_bomb((6000, 6000), "RGBA"), content_type="image/png")
    response = manager_client.post(URL, {"image": upload})
    assert response.status_code == 400
    assert response.json()["image"] == ["The image is 6000x6000 pixels: at most 25,000,000 pixels are accepted."]
    with override_settings(BAZARY_CATALOG={"IMAGE_MAX_PIXELS": 16 * 16}):
        assert manager_client.post(URL, {"image": image_upload(size=(16, 16))}).status_code == 201
        response = manager_client.post(URL, {"image": image_upload(size=(16, 17))})
        assert response.status_code == 400
        assert "16x17 pixels: at most 256 pixels" in response.json()["image"][0]
    assert ProductImage.objects.count() == 1


@pytest.mark.parametrize(("fmt", "size"), [("PNG", (16, 12)), ("JPEG", (7, 30)), ("WEBP", (1, 1)), ("GIF", (40, 3))])
def test_check_image_file_gives_the_format_and_size_it_read(fmt, size):
    upload = SimpleUploadedFile("anything.bin", image_bytes(fmt, size=size))
    checked = check_image_file(upload)
    assert (checked.format, checked.width, checked.height) == (fmt, *size)
    assert upload.tell() == 0  # left at the start, for the storage to read it whole


RSS_SCRIPT = """
import resource, sys
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.exceptions import ValidationError
from rest_framework import serializers
from bazary.catalog.images import validate_image_file
from bazary.testing.catalog import png_bomb

data = png_bomb((6000, 6000), "RGBA")  # 144 MB once decoded
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
# What the upload goes through: DRF's ImageField (Django's: open + verify), then the validation.
upload = serializers.ImageField().to_internal_value(SimpleUploadedFile("x.png", data, content_type="image/png"))
try:
    validate_image_file(upload)
except ValidationError as exc:
    print(exc.code, file=sys.stderr)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)  # KiB on Linux
"""


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux")
def test_a_bomb_is_refused_without_decoding_its_pixels():
    # A fresh process, so its peak memory is this validation's alone.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run([sys.executable, "-c", RSS_SCRIPT], capture_output=True, text=True, env=env, check=True)
    assert "too_many_pixels" in result.stderr
    grown_mib = int(result.stdout.strip()) / 1024
    assert grown_mib < 20, f"the validation grew the process by {grown_mib:.0f} MiB (decoding would be 137 MiB)"


def test_extension_comes_from_the_content(catalog, manager_client, client):
    upload = image_upload("photo.pdf", "PNG")
    response = manager_client.post(URL, {"image": upload})
    assert response.status_code == 201, response.content
    image = ProductImage.objects.get(pk=response.json()["id"])
    assert image.image.name.endswith(".png")
    assert response.json()["url"].endswith(".png")
    assert _served_content_type(image.image) == "image/png"

    jpeg = manager_client.post(URL, {"image": image_upload("scan.PNG", "JPEG")}).json()
    assert ProductImage.objects.get(pk=jpeg["id"]).image.name.endswith(".jpg")
    for name, fmt, extension in [("a.bmp", "WEBP", ".webp"), ("a.jpeg", "GIF", ".gif")]:
        body = manager_client.post(URL, {"image": image_upload(name, fmt)}).json()
        assert ProductImage.objects.get(pk=body["id"]).image.name.endswith(extension)


def test_category_image_extension_comes_from_the_content(manager_client):
    response = manager_client.post("/api/categories/", {"name": "Shoes", "image": image_upload("shoes.pdf", "GIF")})
    assert response.status_code == 201, response.content
    category = Category.objects.get(slug="shoes")
    assert category.image.name.endswith(".gif")
    assert _served_content_type(category.image) == "image/gif"


def _served_content_type(field_file):
    """The Content-Type a client gets for the stored file: S3's object metadata, or Django's file view."""
    storage = field_file.storage
    if hasattr(storage, "bucket"):
        return storage.bucket.Object(storage._normalize_name(field_file.name)).content_type
    from django.test import RequestFactory
    from django.views.static import serve

    response = serve(RequestFactory().get("/"), field_file.name, document_root=storage.location)
    return response["Content-Type"]


def test_a_failed_save_deletes_the_stored_file(catalog, manager_client, settings, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("bazary.catalog.views.images._touch_product", fail)
    before = _file_count()
    manager_client.raise_request_exception = False
    response = manager_client.post(URL, {"image": image_upload()})
    assert response.status_code == 500
    assert not ProductImage.objects.exists()
    assert _file_count() == before
