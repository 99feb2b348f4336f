"""products/{slug}/images/: upload validation, primary image, storage cleanup."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from bazary.catalog.models import ProductImage
from bazary.testing.catalog import ProductImageFactory, image_bytes, image_upload

from .conftest import client_for

pytestmark = pytest.mark.django_db
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
