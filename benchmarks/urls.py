"""The example project's URLs plus the baseline views under ``/baseline/``."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("baseline/", include("benchmarks.baseline.urls")), *project_urlpatterns]
