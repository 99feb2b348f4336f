"""gunicorn for the benchmark: sync workers, no access log, no worker recycling."""

import os

bind = os.environ["GUNICORN_BIND"]
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "sync"
timeout = 60
accesslog = None
errorlog = "-"
loglevel = "warning"
max_requests = 0
