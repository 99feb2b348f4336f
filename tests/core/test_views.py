"""The base view: input no database can store is a 400, never a 500."""

import pytest
from django.urls import path
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.test import APIClient

from bazary.core.views import BazaryAPIMixin, JSONRenderer


class EchoSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["shipping", "billing"])
    data = serializers.JSONField(required=False)


class EchoView(BazaryAPIMixin, generics.GenericAPIView):
    serializer_class = EchoSerializer

    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)

    def get(self, request):
        return Response(dict(request.query_params))


urlpatterns = [path("echo/", EchoView.as_view())]

pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def client():
    return APIClient()


@pytest.mark.parametrize(
    "body",
    [
        '{"kind": "shipping", "data": {"note": "a\\u0000b"}}',
        '{"kind": "shipping", "data": {"a\\u0000": 1}}',
        '{"kind": "shipping", "data": ["\\ud800"]}',
    ],
)
def test_json_with_nul_or_lone_surrogates_is_a_400(client, body):
    response = client.post("/echo/", body, content_type="application/json")
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def test_the_renderer_escapes_what_utf8_cannot_encode():
    # DRF's "invalid choice" message repeats the input; were a lone surrogate
    # ever to get that far, rendering it must not fail.
    assert JSONRenderer().render({"kind": ['"\ud800" is not a valid choice.']}) == (
        b'{"kind":["\\"\\ud800\\" is not a valid choice."]}'
    )


def test_json_nested_too_deeply_is_a_400(client):
    response = client.post("/echo/", "[" * 100_000 + "]" * 100_000, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_nul_in_a_query_parameter_is_a_400(client):
    response = client.get("/echo/", {"search": "lamp\x00"})
    assert response.status_code == 400
    assert "search" in response.json()


def test_ordinary_input_passes(client):
    response = client.post("/echo/", {"kind": "billing", "data": {"note": "ünïcödé ✓"}}, format="json")
    assert response.status_code == 200
    assert response.json()["data"] == {"note": "ünïcödé ✓"}
    assert client.get("/echo/", {"q": "lamp"}).json() == {"q": ["lamp"]}


def test_mixin_docstring_does_not_leak_into_operation_descriptions():
    assert BazaryAPIMixin.__doc__ is None
