"""``auth/users/`` (included by ``bazary.accounts.urls``)."""

from django.urls import path

from . import views

users = views.StaffUserViewSet.as_view({"get": "list"})
user = views.StaffUserViewSet.as_view({"get": "retrieve", "patch": "partial_update"})

urlpatterns = [
    path("", users, name="staff-user-list"),
    path("stats/", views.StaffStatsView.as_view(), name="staff-user-stats"),
    path("bulk/", views.StaffBulkView.as_view(), name="staff-user-bulk"),
    path("<str:pk>/", user, name="staff-user-detail"),
    path("<str:pk>/sessions/<str:session>/", views.StaffSessionView.as_view(), name="staff-user-session"),
    path("<str:pk>/<str:action>/", views.StaffUserActionView.as_view(), name="staff-user-action"),
]
