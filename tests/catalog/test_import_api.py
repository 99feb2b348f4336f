"""POST products/import/ and GET products/import/{id}/: a background job
(the immediate task backend in tests), progress, per-row errors with line
numbers, nothing half-imported, hostile uploads."""

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bazary.catalog.imports import PROGRESS_KEY, run
from bazary.catalog.models import ImportJob, Product, StockMovement

from .conftest import client_for, make_user

pytestmark = pytest.mark.django_db

URL = "/api/products/import/"
HEADER = "sku,name,price,category,stock\n"


@pytest.fixture
def importer(db):
    return make_user("importer", staff=True, perms=("add_product",))


@pytest.fixture
def importer_client(importer):
    return client_for(importer)


def upload(content, name="products.csv"):
    return SimpleUploadedFile(name, content if isinstance(content, bytes) else content.encode(), "text/csv")


@pytest.fixture
def start(importer_client, django_capture_on_commit_callbacks):
    """POST a file; the job runs once the request's transaction commits."""

    def start(content, name="products.csv", **extra):
        with django_capture_on_commit_callbacks(execute=True):
            response = importer_client.post(URL, {"file": upload(content, name), **extra}, format="multipart")
        return response

    return start


def job_of(client, response):
    assert response.status_code == 202, response.content
    return client.get(response.json()["url"]).json()


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("customer", 403), ("staff", 403), ("importer", 202)])
def test_import_permissions(who, status, request, django_capture_on_commit_callbacks):
    user = request.getfixturevalue(who) if who else None
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(URL, {"file": upload(HEADER + "A,B,1,Home,1\n")}, format="multipart")
    assert response.status_code == status
    assert Product.objects.exists() == (status == 202)


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("customer", 403), ("staff", 403), ("importer", 200)])
def test_job_permissions(who, status, request, importer):
    job = ImportJob.objects.create(format="csv", user=importer)
    user = request.getfixturevalue(who) if who else None
    assert client_for(user).get(f"{URL}{job.pk}/").status_code == status


def test_a_job_imports_and_reports(start, importer_client, importer, tree):
    response = start(HEADER + "A-1,Mug,9.50,Home/Kitchen,4\nA-2,Cup,3,Home/Kitchen,0\n")
    body = response.json()
    assert body["status"] == "pending"
    assert response["Location"] == body["url"]
    assert body["url"].endswith(f"/api/products/import/{body['id']}/")
    job = job_of(importer_client, response)
    assert job["status"] == "succeeded"
    assert job["progress"] == {"phase": "done", "done": 2, "total": 2}
    assert (job["created"], job["updated"], job["errors"]) == (2, 0, [])
    assert job["file_name"] == "products.csv"
    assert Product.objects.get(sku="A-1").category.parent.name == "Home"
    assert StockMovement.objects.get().user == importer
    # The upload is not kept once imported.
    stored = ImportJob.objects.get(pk=body["id"]).file
    assert not stored.storage.exists(stored.name)


def test_bad_rows_fail_the_job_with_line_numbers(start, importer_client):
    response = start(HEADER + "OK-1,Fine,1,Home,1\nBAD,Negative,-1,Home,1\nOK-2,Fine,1,,1\n")
    job = job_of(importer_client, response)
    assert job["status"] == "failed"
    assert [error["line"] for error in job["errors"]] == [3, 4]
    assert "price" in job["errors"][0]["errors"]
    assert "category" in job["errors"][1]["errors"]
    assert not Product.objects.exists()


def test_a_job_that_fails_at_row_900_of_1000_changes_nothing(start, importer_client, tree):
    from bazary.testing.catalog import ProductFactory

    ProductFactory(sku="R-5", name="Before", price="1.00", category=tree["books"])
    rows = [f"R-{i},Row {i},{'oops' if i == 900 else '2.00'},Home,1\n" for i in range(1, 1001)]
    job = job_of(importer_client, start(HEADER + "".join(rows)))
    assert job["status"] == "failed"
    assert job["errors"] == [{"line": 901, "errors": {"price": ["A valid number is required."]}}]
    assert job["progress"]["total"] == 1000
    assert list(Product.objects.values_list("sku", "name")) == [("R-5", "Before")]
    assert not StockMovement.objects.exists()


def test_json_uploads_and_the_format_parameter(start, importer_client):
    data = json.dumps([{"sku": "J-1", "name": "Lamp", "price": "5", "category": "Home"}])
    assert job_of(importer_client, start(data, name="p.json"))["status"] == "succeeded"
    data = json.dumps([{"sku": "J-2", "name": "Lamp", "price": "5", "category": "Home"}])
    job = job_of(importer_client, start(data, name="upload.txt", format="json"))
    assert (job["status"], job["format"]) == ("succeeded", "json")
    assert Product.objects.count() == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "Not valid JSON"), ('{"a": 1}', "must hold a list")],
)
def test_an_unreadable_json_file_fails_with_a_message(start, importer_client, content, message):
    job = job_of(importer_client, start(content, name="p.json"))
    assert job["status"] == "failed"
    assert job["errors"][0]["line"] is None
    assert message in job["errors"][0]["errors"][0]


def test_csv_without_required_columns_fails_with_a_message(start, importer_client):
    job = job_of(importer_client, start("sku,name\nA,B\n"))
    assert job["status"] == "failed"
    assert "lacks" in job["errors"][0]["errors"][0]


@pytest.mark.parametrize(
    "content",
    [b"sku,name\x00,price\n", "sku,name,price,category\nA,Caf\xe9,1,Home\n".encode("latin-1"), b"\xff\xfe\x00\x00"],
    ids=["nul", "latin-1", "binary"],
)
def test_hostile_files_are_400_and_no_job(importer_client, content):
    response = importer_client.post(URL, {"file": upload(content)}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()
    assert not ImportJob.objects.exists()


def test_a_file_over_the_limit_is_400(importer_client, settings):
    settings.BAZARY_CATALOG = {"IMPORT_MAX_BYTES": 100}
    response = importer_client.post(URL, {"file": upload(HEADER + "A,B,1,Home,1\n" * 10)}, format="multipart")
    assert response.status_code == 400
    assert "larger than 100 bytes" in response.json()["file"][0]


@pytest.mark.parametrize(
    "body",
    [{}, {"file": "not a file"}, {"format": "xml"}],
    ids=["no-file", "text-field", "bad-format"],
)
def test_bad_uploads_are_400(importer_client, body):
    if body.get("format"):
        body = {**body, "file": upload(HEADER)}
    response = importer_client.post(URL, body, format="multipart")
    assert response.status_code == 400


@pytest.mark.parametrize("job_id", ["nope", "1", str(uuid.uuid4()), "x" * 5000])
def test_unknown_jobs_are_404(importer_client, job_id):
    response = importer_client.get(f"{URL}{job_id}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_progress_while_running(importer_client, importer):
    """Validation progress is saved on the job; the write phase (inside the
    import's transaction) reports through the cache."""
    from django.core.cache import cache

    job = ImportJob.objects.create(format="csv", status=ImportJob.Status.RUNNING, total_rows=5000, processed_rows=2000)
    assert importer_client.get(f"{URL}{job.pk}/").json()["progress"] == {
        "phase": "validating",
        "done": 2000,
        "total": 5000,
    }
    cache.set(PROGRESS_KEY.format(id=job.pk), {"phase": "writing", "done": 1000, "total": 5000})
    assert importer_client.get(f"{URL}{job.pk}/").json()["progress"]["phase"] == "writing"


def test_a_job_runs_once(start, importer_client):
    response = start(HEADER + "A-1,Mug,9.50,Home,4\n")
    job_id = response.json()["id"]
    assert run(job_id) == "succeeded"  # already done: nothing happens again
    assert StockMovement.objects.count() == 1
