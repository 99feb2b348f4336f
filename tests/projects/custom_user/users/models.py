"""A user model unlike bazary's: username login, a unique email, one display name,
and its own language and time zone fields."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models


class MemberManager(BaseUserManager):
    def create_user(self, username, email, password=None, **extra):
        user = self.model(username=username, email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user


class Member(AbstractBaseUser):
    username = models.CharField(max_length=254, unique=True)
    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=100, blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    # Two of bazary AbstractUser's profile extras, declared by the project itself:
    # the profile exposes them and mail is rendered in them.
    language = models.CharField(max_length=15, blank=True)
    timezone = models.CharField(max_length=64, blank=True)

    objects = MemberManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    def get_full_name(self):
        return self.display_name
