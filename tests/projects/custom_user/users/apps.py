from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "tests.projects.custom_user.users"
    label = "custom_users"
    default_auto_field = "django.db.models.BigAutoField"
