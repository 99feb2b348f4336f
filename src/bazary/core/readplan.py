"""A compiled read path for serializers: the same output as DRF's
``Serializer.to_representation``, with less work per field.

DRF reads every field of every item through ``Field.get_attribute`` (a walk
over ``source_attrs`` with ``isinstance``/``callable`` checks and ``try``
blocks) and then ``Field.to_representation``. For a page of 100 products of
~30 fields that is 3,000 trips through that machinery. :class:`CompiledReadMixin`
looks at the serializer's readable fields once per serializer instance (the
child of a ``many=True`` list is one instance for the whole page) and builds a
*plan*: one small function per field, chosen by the field's class:

- a plain attribute (``source`` of one name) of a field whose class does not
  override DRF's ``to_representation`` reads ``getattr`` and applies what DRF
  would (``str`` for a ``CharField``, ``int`` for an ``IntegerField``, the
  value for a ``JSONField`` or a ``bool``; DRF's own method for the others);
- a ``SerializerMethodField`` calls the (possibly overridden) method;
- a many-to-many field whose relation was prefetched iterates the prefetch
  cache instead of building a related manager per item;
- every other field (a custom field class, a dotted ``source``, a nested
  serializer, a ``to_representation`` of a project's own field) goes through
  DRF's generic ``get_attribute`` / ``to_representation``, exactly as DRF does.

So a project subclass that adds or overrides a field keeps working, that
field on the generic path. A subclass that overrides ``to_representation``
and calls ``super()`` still gets the compiled plan; one that sets
``compiled_read = False`` gets DRF's loop unchanged (the reference the tests
compare the compiled path with).
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from typing import Any

from rest_framework import ISO_8601, relations, serializers
from rest_framework import fields as drf_fields
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

#: Returned by a step when DRF would skip the field (``SkipField``).
SKIP = object()

Step = Callable[[Any], Any]


def _overrides(field: drf_fields.Field, base: type, name: str = "to_representation") -> bool:
    return getattr(type(field), name) is not getattr(base, name)


def generic_step(field: drf_fields.Field) -> Step:
    """DRF's own per-field body of ``Serializer.to_representation``."""
    get_attribute, to_representation = field.get_attribute, field.to_representation

    def step(instance: Any) -> Any:
        try:
            attribute = get_attribute(instance)
        except SkipField:
            return SKIP
        check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if check_for_none is None else to_representation(attribute)

    return step


def _attribute_step(field: drf_fields.Field, convert: Callable[[Any], Any] | None) -> Step:
    """``getattr`` of a one-name source, then ``convert`` (``None`` stays
    ``None``, as in DRF). A callable value (a method named as the source) takes
    the generic path, which calls it."""
    (attr,) = field.source_attrs
    generic = generic_step(field)

    def step(instance: Any) -> Any:
        try:
            value = getattr(instance, attr)
        except AttributeError:
            return generic(instance)
        if value is None:
            return None
        if callable(value):
            return generic(instance)
        return value if convert is None else convert(value)

    return step


def _str(value: Any) -> str:
    return value if type(value) is str else str(value)


def _int(value: Any) -> int:
    return value if type(value) is int else int(value)


def _bool_step(field: drf_fields.BooleanField) -> Callable[[Any], Any]:
    to_representation = field.to_representation

    def convert(value: Any) -> Any:
        return value if type(value) is bool else to_representation(value)

    return convert


def _datetime_convert(field: drf_fields.DateTimeField) -> Callable[[Any], Any]:
    """DRF's ISO 8601 output of an aware datetime, with the field's time zone
    looked up once (DRF asks for the current one per value: the same zone for
    the whole page unless a value's own code activates another)."""
    to_representation = field.to_representation
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    if output_format is None or output_format.lower() != ISO_8601:
        return to_representation
    zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
    if zone is None:
        return to_representation

    def convert(value: Any) -> Any:
        if type(value) is not datetime.datetime or value.utcoffset() is None:
            return to_representation(value)  # naive, a subclass, a string: DRF's rules
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:
            return to_representation(value)  # DRF's error
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return convert


def _many_related_step(field: relations.ManyRelatedField, serializer: serializers.Serializer) -> Step | None:
    """A many-to-many of the model read from its prefetch cache (no related
    manager built per item); ``None`` when the field is not a plain one."""
    if _overrides(field, relations.ManyRelatedField, "get_attribute") or _overrides(field, relations.ManyRelatedField):
        return None
    if len(field.source_attrs) != 1:
        return None
    (attr,) = field.source_attrs
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    try:
        model_field = model._meta.get_field(attr) if model is not None else None
    except Exception:  # not a model field: a property or a method
        return None
    if model_field is None or not getattr(model_field, "many_to_many", False) or model_field.auto_created:
        return None
    cache_name = model_field.name  # the forward accessor's prefetch_cache_name
    child = field.child_relation.to_representation
    generic = generic_step(field)

    def step(instance: Any) -> Any:
        cache = getattr(instance, "_prefetched_objects_cache", None)
        if cache is None or cache_name not in cache or instance.pk is None:
            return generic(instance)
        return [child(value) for value in cache[cache_name]]

    return step


def compile_step(field: drf_fields.Field, serializer: serializers.Serializer) -> Step:
    """The step of one readable field of ``serializer``."""
    if isinstance(field, serializers.SerializerMethodField) and not (
        _overrides(field, serializers.SerializerMethodField)
        or _overrides(field, serializers.SerializerMethodField, "get_attribute")
    ):
        return getattr(serializer, field.method_name)
    if isinstance(field, relations.ManyRelatedField):
        return _many_related_step(field, serializer) or generic_step(field)
    if (
        isinstance(field, relations.RelatedField)
        and len(field.source_attrs) == 1
        and not field.use_pk_only_optimization()
        and not _overrides(field, relations.RelatedField, "get_attribute")
    ):
        # A related object read whole (a slug or a nested shape of it): the
        # attribute read inlined (a missing one is DRF's None), its own conversion.
        return _attribute_step(field, field.to_representation)
    if (
        isinstance(field, (serializers.BaseSerializer, relations.RelatedField))
        or len(field.source_attrs) != 1
        or _overrides(field, drf_fields.Field, "get_attribute")
    ):
        return generic_step(field)
    # Plain fields whose class keeps DRF's conversion: the conversion inlined.
    for base, convert in (
        (drf_fields.CharField, _str),
        (drf_fields.IntegerField, _int),
        (drf_fields.JSONField, None if not getattr(field, "binary", False) else field.to_representation),
        (drf_fields.ReadOnlyField, None),
    ):
        if isinstance(field, base) and not _overrides(field, base):
            return _attribute_step(field, convert)
    if isinstance(field, drf_fields.BooleanField) and not _overrides(field, drf_fields.BooleanField):
        return _attribute_step(field, _bool_step(field))
    if isinstance(field, drf_fields.DateTimeField) and not (
        _overrides(field, drf_fields.DateTimeField)
        or _overrides(field, drf_fields.DateTimeField, "enforce_timezone")
        or _overrides(field, drf_fields.DateTimeField, "default_timezone")
    ):
        return _attribute_step(field, _datetime_convert(field))
    # Any other field: the attribute read inlined, the field's own conversion.
    return _attribute_step(field, field.to_representation)


class CompiledReadMixin:
    """Mix into a ``Serializer`` (before it) to read through a compiled plan;
    see the module's docstring. ``compiled_read = False`` on a subclass
    restores DRF's loop."""

    compiled_read: bool = True

    def read_plan(self) -> list[tuple[str, Step]]:
        plan = self.__dict__.get("_read_plan")
        if plan is None:
            serializer: Any = self
            plan = [(field.field_name, compile_step(field, serializer)) for field in serializer._readable_fields]
            self.__dict__["_read_plan"] = plan
        return plan

    def to_representation(self, instance: Any) -> Any:
        if not self.compiled_read:
            return super().to_representation(instance)  # type: ignore[misc]
        ret = {}
        for name, step in self.read_plan():
            value = step(instance)
            if value is not SKIP:
                ret[name] = value
        return ret


#: ModelSerializer's hooks that build its fields: a class overriding one may
#: build them per request, so its fields are not cached.
_BUILD_HOOKS = (
    "get_field_names",
    "get_default_field_names",
    "get_extra_kwargs",
    "get_uniqueness_extra_kwargs",
    "include_extra_kwargs",
    "build_field",
    "build_standard_field",
    "build_relational_field",
    "build_nested_field",
    "build_property_field",
    "build_url_field",
    "build_unknown_field",
)


class CachedModelFieldsMixin:
    """Mix into a ``ModelSerializer`` (before it): the fields DRF builds from
    the model (introspecting every model field, its validators and choices,
    on every instantiation: about a millisecond for a product) are built once
    per class and deep-copied afterwards, the way DRF already copies declared
    fields. A class that overrides one of ModelSerializer's field-building
    hooks (``build_field``, ``get_extra_kwargs``...) builds them every time,
    as DRF does; a ``get_fields`` override of a subclass runs as usual on the
    copy."""

    def get_fields(self) -> dict[str, drf_fields.Field]:
        cls: Any = type(self)
        template = cls.__dict__.get("_bazary_field_template")
        if template is None:
            if any(getattr(cls, hook) is not getattr(serializers.ModelSerializer, hook) for hook in _BUILD_HOOKS):
                return super().get_fields()  # type: ignore[misc]
            template = cls._bazary_field_template = super().get_fields()  # type: ignore[misc]
        serializer: Any = self
        if serializer.url_field_name is None:
            serializer.url_field_name = api_settings.URL_FIELD_NAME
        return {name: copy_field(field) for name, field in template.items()}


#: Field classes holding other fields or a queryset: copied DRF's way.
_DEEP_FIELDS = (serializers.BaseSerializer, relations.RelatedField, relations.ManyRelatedField)


def copy_field(field: drf_fields.Field) -> drf_fields.Field:
    """A copy of an unbound template field, as independent as DRF's deep copy.

    DRF's ``__deepcopy__`` runs the field's ``__init__`` again (validators,
    choices, messages rebuilt: most of the cost of a serializer's fields). A
    leaf field (no sub-field, no queryset) is copied shallowly instead, with
    each list, dict and set it holds copied, so that a serializer changing
    its copy (``validators.append``, ``error_messages[...]``) changes no other."""
    if isinstance(field, _DEEP_FIELDS) or any(isinstance(value, drf_fields.Field) for value in field.__dict__.values()):
        return copy.deepcopy(field)
    clone = copy.copy(field)
    state = clone.__dict__
    for name, value in state.items():
        if type(value) in (list, dict, set):
            state[name] = value.copy()
    return clone
