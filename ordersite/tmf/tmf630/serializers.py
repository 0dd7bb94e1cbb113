"""Strict JSON types for what clients send: a string is a string, an integer an integer; TMF's @-names."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.fields import SkipField, empty, get_error_detail
from rest_framework.utils import html
from rest_framework.utils.serializer_helpers import BindingDict


class Text(serializers.CharField):
    """A JSON string; numbers and booleans are not quietly turned into one.

    Its max_length counts the string as sent, spaces around it too, as the OpenAPI document's
    maxLength does (DRF alone would count it once trimmed).
    """

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length, length=len(data))
        return super().to_internal_value(data)


class Flag(serializers.BooleanField):
    """A JSON true or false; not "yes", 1 or "true"."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class WholeNumber(serializers.IntegerField):
    """A JSON integer; not a string, a boolean or 1.5."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class TMFSerializer(serializers.Serializer):
    """A serializer whose `at_fields` carry TMF's @-names (@type, @referredType, ...)."""

    at_fields: dict = {}

    @property
    def fields(self):
        """The class's fields, made and bound once and shared by its every instance.

        DRF deep-copies every declared field (nested serializers and their fields too) for each
        instance, about 3 ms of an API order's CPU. These serializers only read request bodies and none
        reads its context, `partial` or `instance`, which is all a field finds through its parent.
        """
        shared = type(self).__dict__.get("_shared_fields")  # a subclass has its own
        if shared is None:
            shared = BindingDict(self)
            for name, field in self.get_fields().items():
                shared[name] = field
            type(self)._shared_fields = shared
        return shared

    def to_internal_value(self, data):
        """DRF's own, visiting only the fields the body holds and those that run when it does not.

        DRF walks every declared field and skips (SkipField, after a dozen calls) one the body leaves
        out that is neither required nor has a default: most of an order's ~90 fields, a third of its
        validation. Leaving those out beforehand gives the same values and the same errors, in order.
        """
        if not isinstance(data, Mapping) or html.is_html_input(data):
            return super().to_internal_value(data)
        ret, errors = {}, {}
        for field in self._writable_fields:
            if field.field_name not in data and not field.required and field.default is empty:
                continue
            validate_method = getattr(self, "validate_" + field.field_name, None)
            try:
                validated_value = field.run_validation(field.get_value(data))
                if validate_method is not None:
                    validated_value = validate_method(validated_value)
            except serializers.ValidationError as exc:
                errors[field.field_name] = exc.detail
            except DjangoValidationError as exc:
                errors[field.field_name] = get_error_detail(exc)
            except SkipField:
                pass
            else:
                self.set_value(ret, field.source_attrs, validated_value)
        if errors:
            raise serializers.ValidationError(errors)
        return ret

    def get_fields(self):
        fields = super().get_fields()
        for name, make in self.at_fields.items():
            fields[name] = make()
        return fields


def optional_text(**kwargs):
    """An optional string field, made when the serializer is (for `at_fields`)."""
    return lambda: Text(required=False, allow_blank=True, max_length=kwargs.get("max_length", 200))


def objects():
    """An optional list of JSON objects: accepted, at most 50, and not acted on."""
    return serializers.ListField(child=serializers.DictField(), required=False, max_length=50)
