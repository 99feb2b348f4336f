"""schemathesis against the deployed site's own schema: no 5xx, responses as documented."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Site

CHECKS = "not_a_server_error,response_schema_conformance"


def run_schemathesis(site: Site, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    executable = shutil.which("schemathesis") or str(Path(sys.executable).parent / "schemathesis")
    return subprocess.run(
        [
            executable,
            "run",
            site.url("/api/v1/schema/"),
            "--url",
            site.url("/api/v1"),
            "--checks",
            CHECKS,
            "--max-examples",
            "10",
            "--max-time",
            "100",
            "--request-timeout",
            "20",
            "--seed",
            "20261129",
            "--report-dir",
            str(tmp_path),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=420,
    )


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_no_server_errors_and_responses_conform(site: Site, tmp_path: Path, who: str):
    extra = [] if who == "anonymous" else ["-H", f"Authorization: Bearer {site.token()}"]
    result = run_schemathesis(site, tmp_path, *extra)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_the_payments_routes_with_both_providers_configured(site: Site, tmp_path: Path, who: str, payment_fakes):
    # The site offers Stripe and Chapa against the loopback fakes (conftest), so the
    # webhook routes verify signatures and the payments routes reach a provider.
    assert site.env["STRIPE_API_BASE"] == payment_fakes[0].url
    extra = [] if who == "anonymous" else ["-H", f"Authorization: Bearer {site.token()}"]
    result = run_schemathesis(site, tmp_path, "--include-path-regex", "/(payments|refunds)/", *extra)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    for route in ("/orders/{number}/payments/", "/orders/{number}/refunds/", "/payments/webhooks/{provider}/"):
        assert route in output, output[-3000:]
