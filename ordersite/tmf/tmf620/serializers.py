"""TMF620 bodies a catalog-managing client sends: a new offering, and changes to offerings, specifications, prices."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orders.models import LifecycleStatus, OfferingCategory
from orders.models.catalog import PRICE_NAME_MAX_LENGTH
from ordersite.tmf.tmf630.serializers import Flag, Text, TMFSerializer, WholeNumber


@extend_schema_field({"type": "boolean", "enum": [False], "description": "Bundles are not offered here"})
class NotABundle(Flag):
    """isBundle: false, or left out (a JSON boolean, as everywhere)."""

    def to_internal_value(self, data):
        if super().to_internal_value(data):
            raise serializers.ValidationError("bundles are not offered here: isBundle is false")
        return False


class RefIn(TMFSerializer):
    id = Text(max_length=100)
    href = Text(required=False, allow_blank=True, max_length=500)
    name = Text(required=False, allow_blank=True, max_length=200)


class CategoryRefIn(RefIn):
    id = serializers.ChoiceField(
        choices=OfferingCategory.values, help_text="broadband, mobile, tv, voice or connectivity"
    )


class OfferingIn(TMFSerializer):
    """TMF620 ProductOffering_Create: a new offering, from an existing specification or from a category."""

    name = Text(max_length=120)
    description = Text(required=False, allow_blank=True, max_length=2000)
    lifecycleStatus = serializers.ChoiceField(choices=LifecycleStatus.values, required=False)
    category = CategoryRefIn(many=True, required=False, max_length=1)
    productSpecification = RefIn(required=False)
    productOfferingPrice = RefIn(many=True, required=False, max_length=2)
    isBundle = NotABundle(required=False)


class OfferingPatchIn(TMFSerializer):
    """TMF620 ProductOffering_Update as a JSON merge patch: name, description, lifecycleStatus, category."""

    name = Text(required=False, max_length=120)
    description = Text(required=False, allow_blank=True, max_length=2000)
    lifecycleStatus = serializers.ChoiceField(choices=LifecycleStatus.values, required=False)
    category = CategoryRefIn(many=True, required=False, min_length=1, max_length=1)


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "number"}]})
class Scalar(serializers.JSONField):
    """An allowed value or a bound: a JSON string or number (CharacteristicValueIn.validate says so)."""


@extend_schema_field({"type": "string", "maxLength": 81, "pattern": r"^[a-z][a-z0-9_]{0,39}(\.[a-z][a-z0-9_]{0,39})?$"})
class CharacteristicName(Text):
    """A data requirement's name, group.field inside a group; the catalog's own rules check it (else 422)."""


class CharacteristicValueIn(TMFSerializer):
    value = Scalar(required=False)
    valueType = Text(required=False, max_length=20)
    isDefault = Flag(required=False)
    valueFrom = Scalar(required=False)
    valueTo = Scalar(required=False)
    rangeInterval = Text(required=False, max_length=20)

    def validate(self, attrs):
        for key in ("value", "valueFrom", "valueTo"):
            if key in attrs and (isinstance(attrs[key], (dict, list, bool)) or attrs[key] is None):
                raise serializers.ValidationError({key: "a string or a number"})
        return attrs


class SpecCharacteristicIn(TMFSerializer):
    """A data requirement: its name (group.field inside a group), value type, cardinality and allowed values."""

    name = CharacteristicName(max_length=81)
    description = Text(required=False, allow_blank=True, max_length=500)
    valueType = serializers.ChoiceField(choices=["string", "number", "integer", "boolean", "date", "object"])
    configurable = Flag(required=False)
    minCardinality = WholeNumber(required=False, min_value=0, max_value=1000)
    maxCardinality = WholeNumber(required=False, min_value=0, max_value=1000)
    isUnique = Flag(required=False)
    regex = Text(required=False, allow_blank=True, max_length=500)
    productSpecCharacteristicValue = CharacteristicValueIn(many=True, required=False, max_length=100)


class SpecificationIn(TMFSerializer):
    """TMF620 ProductSpecification_Create: the data requirements of an offering to design, in a category."""

    name = Text(max_length=120)
    description = Text(required=False, allow_blank=True, max_length=2000)
    lifecycleStatus = serializers.ChoiceField(choices=LifecycleStatus.values, required=False)
    category = CategoryRefIn(
        many=True,
        required=False,
        min_length=1,
        max_length=1,
        help_text="Ours, beyond TMF620: the offering's; it may come later (PATCH productOffering) but before launch",
    )
    productSpecCharacteristic = SpecCharacteristicIn(many=True, required=False, max_length=200)
    isBundle = NotABundle(required=False)


class SpecificationPatchIn(TMFSerializer):
    """TMF620 ProductSpecification_Update as a JSON merge patch."""

    name = Text(required=False, max_length=120)
    description = Text(required=False, allow_blank=True, max_length=2000)
    lifecycleStatus = serializers.ChoiceField(choices=LifecycleStatus.values, required=False)
    productSpecCharacteristic = SpecCharacteristicIn(many=True, required=False, max_length=200)


@extend_schema_field({"type": "number", "minimum": 0, "maximum": 99999999.99, "multipleOf": 0.01})
class Amount(serializers.DecimalField):
    """A JSON number of pounds and pence, 0 or more (as the OpenAPI says; not a string)."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=10, decimal_places=2, min_value=0, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            self.fail("invalid")
        return super().to_internal_value(data)


class MoneyIn(serializers.Serializer):
    value = Amount()
    unit = Text(required=False, max_length=3)


@extend_schema_field({"type": "number", "minimum": 0.01, "maximum": 99999999.99, "multipleOf": 0.01})
class PositiveAmount(Amount):
    """A new price's amount: more than 0 (a price of nothing is no price)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not value:
            raise serializers.ValidationError("a price is more than 0")
        return value


class NewMoneyIn(MoneyIn):
    value = PositiveAmount()


class UnitOfMeasureIn(serializers.Serializer):
    amount = serializers.IntegerField(min_value=1, max_value=1)
    units = Text(max_length=120, help_text="The group charged per entry: its name (handsets), label or entry (handset)")


class PriceIn(TMFSerializer):
    """TMF620 ProductOfferingPrice_Create, plus the offering it prices (ours: TMF620 v4 prices name none).

    With unitOfMeasure {amount 1, units: a group}, a charge per entry of that group."""

    name = Text(max_length=PRICE_NAME_MAX_LENGTH, help_text="The price's name, kept as given")
    priceType = serializers.ChoiceField(choices=["oneTime", "recurring"])
    price = NewMoneyIn()
    productOffering = RefIn(help_text="The offering this price belongs to (ours, beyond TMF620 v4)")
    unitOfMeasure = UnitOfMeasureIn(required=False)
    recurringChargePeriodType = serializers.ChoiceField(choices=["month"], required=False)
    recurringChargePeriodLength = serializers.IntegerField(min_value=1, max_value=1, required=False)
    isBundle = NotABundle(required=False)
    description = Text(required=False, allow_blank=True, max_length=2000)
    lifecycleStatus = Text(required=False, max_length=20)


class PricePatchIn(TMFSerializer):
    """TMF620 ProductOfferingPrice_Update as a JSON merge patch: the name, the amount (price.value, 0 or more)."""

    name = Text(required=False, max_length=PRICE_NAME_MAX_LENGTH)
    price = MoneyIn(required=False)


OFFERING_PATCHABLE = {"name", "description", "lifecycleStatus", "category"}
SPECIFICATION_PATCHABLE = {"name", "description", "lifecycleStatus", "productSpecCharacteristic"}
PRICE_PATCHABLE = {"name", "price"}
