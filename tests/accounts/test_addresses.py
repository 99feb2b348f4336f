"""Addresses: CRUD, one default per kind, object-level access, caps, hostile input."""

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings

from bazary.accounts.models import Address
from bazary.testing.accounts import AddressFactory

pytestmark = pytest.mark.django_db

VALID = {
    "kind": "shipping",
    "recipient_name": "Ada Lovelace",
    "line1": "12 St James's Square",
    "city": "London",
    "postal_code": "SW1Y 4JH",
    "country": "gb",
    "phone": "+44 20 7946 0000",
}


def test_create_list_update_delete(auth_client, user):
    created = auth_client.post("/api/auth/addresses/", VALID, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["country"] == "GB"
    assert body["is_default"] is False
    pk = body["id"]

    listing = auth_client.get("/api/auth/addresses/")
    assert listing.status_code == 200
    assert listing.json()["count"] == 1
    assert listing.json()["results"][0]["id"] == pk

    assert auth_client.patch(f"/api/auth/addresses/{pk}/", {"city": "Bath"}, format="json").json()["city"] == "Bath"
    replaced = auth_client.put(f"/api/auth/addresses/{pk}/", {**VALID, "kind": "billing"}, format="json")
    assert replaced.status_code == 200
    assert replaced.json()["kind"] == "billing"
    assert auth_client.get(f"/api/auth/addresses/{pk}/").status_code == 200
    assert auth_client.delete(f"/api/auth/addresses/{pk}/").status_code == 204
    assert not Address.objects.exists()


def test_a_new_default_unsets_the_old_one_of_the_same_kind(auth_client, user):
    first = auth_client.post("/api/auth/addresses/", {**VALID, "is_default": True}, format="json").json()
    billing = auth_client.post(
        "/api/auth/addresses/", {**VALID, "kind": "billing", "is_default": True}, format="json"
    ).json()
    second = auth_client.post("/api/auth/addresses/", {**VALID, "is_default": True}, format="json").json()
    defaults = dict(Address.objects.filter(user=user).values_list("pk", "is_default"))
    assert defaults == {first["id"]: False, billing["id"]: True, second["id"]: True}

    auth_client.patch(f"/api/auth/addresses/{first['id']}/", {"is_default": True}, format="json")
    defaults = dict(Address.objects.filter(user=user).values_list("pk", "is_default"))
    assert defaults == {first["id"]: True, billing["id"]: True, second["id"]: False}

    # Moving a default to the other kind takes over that kind's default.
    auth_client.patch(f"/api/auth/addresses/{first['id']}/", {"kind": "billing"}, format="json")
    defaults = dict(Address.objects.filter(user=user).values_list("pk", "is_default"))
    assert defaults == {first["id"]: True, billing["id"]: False, second["id"]: False}


def test_the_database_allows_one_default_per_kind(user):
    AddressFactory(user=user, is_default=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        AddressFactory(user=user, is_default=True)
    AddressFactory(user=user, is_default=True, kind="billing")


def test_another_users_address_is_404(auth_client, other_user):
    theirs = AddressFactory(user=other_user)
    assert auth_client.get(f"/api/auth/addresses/{theirs.pk}/").status_code == 404
    assert auth_client.patch(f"/api/auth/addresses/{theirs.pk}/", {"city": "x"}, format="json").status_code == 404
    assert auth_client.delete(f"/api/auth/addresses/{theirs.pk}/").status_code == 404
    assert auth_client.get("/api/auth/addresses/").json()["count"] == 0
    theirs.refresh_from_db()
    assert theirs.city != "x"


def test_addresses_need_authentication(api_client):
    assert api_client.get("/api/auth/addresses/").status_code == 401
    assert api_client.post("/api/auth/addresses/", VALID, format="json").status_code == 401


@override_settings(BAZARY_ACCOUNTS={"MAX_ADDRESSES": 2})
def test_the_number_of_addresses_is_capped(auth_client, user):
    for _ in range(2):
        assert auth_client.post("/api/auth/addresses/", VALID, format="json").status_code == 201
    response = auth_client.post("/api/auth/addresses/", VALID, format="json")
    assert response.status_code == 400
    assert Address.objects.filter(user=user).count() == 2


def test_user_cannot_be_assigned(auth_client, user, other_user):
    response = auth_client.post("/api/auth/addresses/", {**VALID, "user": other_user.pk}, format="json")
    assert Address.objects.get(pk=response.json()["id"]).user == user


@pytest.mark.parametrize(
    "change",
    [
        {"country": "XX"},
        {"country": "GBR"},
        {"country": ""},
        {"kind": "home"},
        {"phone": "call me"},
        {"recipient_name": ""},
        {"line1": "x" * 10_000},
        {"city": "a\x00b"},
        {"is_default": "maybe"},
    ],
)
def test_invalid_addresses_are_400(auth_client, change):
    assert auth_client.post("/api/auth/addresses/", {**VALID, **change}, format="json").status_code == 400
    assert not Address.objects.exists()


@pytest.mark.parametrize("pk", [2**63, 2**63 - 1, 2**64 + 1, 10**30])
def test_huge_ids_are_404(auth_client, pk):
    assert auth_client.get(f"/api/auth/addresses/{pk}/").status_code == 404
    assert auth_client.delete(f"/api/auth/addresses/{pk}/").status_code == 404
    assert auth_client.delete(f"/api/auth/sessions/{pk}/").status_code == 404


def test_list_query_count_does_not_grow(auth_client, user, django_assert_max_num_queries):
    AddressFactory.create_batch(3, user=user)
    with django_assert_max_num_queries(4):
        assert auth_client.get("/api/auth/addresses/?page_size=2").status_code == 200
    AddressFactory.create_batch(20, user=user)
    with django_assert_max_num_queries(4):
        assert len(auth_client.get("/api/auth/addresses/?page_size=20").json()["results"]) == 20


def test_country_name_is_localised(auth_client):
    from django.utils import translation

    created = auth_client.post("/api/auth/addresses/", {**VALID, "country": "de"}, format="json").json()
    assert (created["country"], created["country_name"]) == ("DE", "Germany")
    with translation.override("fr"):
        body = auth_client.get(f"/api/auth/addresses/{created['id']}/").json()
    assert body["country_name"] == "Allemagne"  # django-countries' French name


@pytest.mark.parametrize("code", ["276", "DEU", "D", "ÄE", "uk"])
def test_only_assigned_two_letter_codes_are_accepted(auth_client, code):
    response = auth_client.post("/api/auth/addresses/", {**VALID, "country": code}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["country"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_existing_codes_and_upper_cases_stray_ones():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    user = AddressFactory().user

    executor = MigrationExecutor(connection)
    # The migration that made country a CountryField, and the state just before it.
    (ours,) = [key for key in executor.loader.graph.nodes if key[0] == "bazary_accounts" and "profile_extras" in key[1]]
    before = [parent for parent in executor.loader.graph.node_map[ours].parents if parent.key[0] == "bazary_accounts"]
    target = [before[0].key]
    executor.migrate(target)
    old_apps = executor.loader.project_state(target).apps
    OldAddress = old_apps.get_model("bazary_accounts", "Address")
    common = {"user_id": user.pk, "recipient_name": "A", "line1": "1 Main St", "city": "Paris"}
    kept = OldAddress.objects.create(country="FR", **common)
    stray = OldAddress.objects.create(country="gb", **common)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Address.objects.get(pk=kept.pk).country == "FR"
    assert Address.objects.get(pk=stray.pk).country == "GB"
