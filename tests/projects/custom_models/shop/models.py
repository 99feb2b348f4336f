from django.db import models

from bazary.catalog.models import AbstractCategory, AbstractProduct


class Category(AbstractCategory):
    icon = models.CharField(max_length=40, blank=True)

    class Meta(AbstractCategory.Meta):
        pass


class Product(AbstractProduct):
    brand = models.CharField(max_length=80, blank=True)

    class Meta(AbstractProduct.Meta):
        pass
