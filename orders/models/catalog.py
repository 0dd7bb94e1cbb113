"""The product catalog: offerings, their prices, technologies, data requirements and fulfilment plans."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from customers.models import CustomerKind, Technology
from orders.requirements import PRICE_KINDS, choice_options, label_of, requirement_schema_errors, spec_at

PRICE_NAME_MAX_LENGTH = 200


class OfferingCategory(models.TextChoices):
    BROADBAND = "broadband", _("Broadband")
    MOBILE = "mobile", _("Mobile")
    TV = "tv", _("TV")
    VOICE = "voice", _("Voice")
    CONNECTIVITY = "connectivity", _("Business connectivity")


class LifecycleStatus(models.TextChoices):
    # TMF620 lifecycleStatus values used for offerings.
    IN_DESIGN = "In design", _("In design")
    LAUNCHED = "Launched", _("Launched")
    RETIRED = "Retired", _("Retired")


class ProductOffering(models.Model):
    """A product offering (TMF620): price, how it is sold, what to capture, how to fulfil it."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    category = models.CharField(
        max_length=20,
        choices=OfferingCategory.choices,
        blank=True,
        help_text=_("Needed before it is launched; one in design may not have it yet."),
    )
    lifecycle_status = models.CharField(
        max_length=20, choices=LifecycleStatus.choices, default=LifecycleStatus.LAUNCHED
    )
    one_off_price = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    recurring_price = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        help_text=_("Per month."),
    )
    currency = models.CharField(max_length=3, default="GBP")
    price_names = models.JSONField(
        default=dict,
        blank=True,
        help_text=_(
            'Its prices\' names, by price: "one_off", "recurring", or a charged group\'s path and kind '
            '("handsets.one_off"). A price without one is named after the offering and its amount.'
        ),
    )
    is_bespoke = models.BooleanField(
        default=False, help_text=_("Designed per customer rather than sold off the shelf.")
    )
    requires_install_address = models.BooleanField(default=True)
    serviceable_technologies = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Technologies that can deliver it; an install address must be served by one. Empty: anywhere."),
    )
    customer_kinds = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Kinds of customer it is sold to (individual, organisation). Empty: everyone."),
    )
    requires_feasibility = models.BooleanField(
        default=False, help_text=_("A feasibility assessment must be on record before the order is issued.")
    )
    requires_customer_signoff = models.BooleanField(
        default=False, help_text=_("The customer takes part in commissioning and signs off delivery.")
    )
    offers_training = models.BooleanField(default=False)
    is_addon = models.BooleanField(default=False, help_text=_("Sold only alongside a product in `requires`."))
    requires = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="addons",
        help_text=_("The customer must have or order one of these."),
    )
    data_requirements = models.JSONField(
        default=list, blank=True, help_text=_("What must be captured: see the README's data requirements format.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        schema_errors = requirement_schema_errors(self.data_requirements)
        if schema_errors:
            errors["data_requirements"] = schema_errors
        unknown = sorted(set(self.serviceable_technologies or []) - set(Technology.values))
        if unknown:
            errors["serviceable_technologies"] = _("Unknown technologies: %(codes)s. Known: %(known)s.") % {
                "codes": ", ".join(map(str, unknown)),
                "known": ", ".join(Technology.values),
            }
        unknown_kinds = sorted(set(self.customer_kinds or []) - set(CustomerKind.values))
        if unknown_kinds:
            errors["customer_kinds"] = _("Unknown customer kinds: %(codes)s. Known: %(known)s.") % {
                "codes": ", ".join(map(str, unknown_kinds)),
                "known": ", ".join(CustomerKind.values),
            }
        if not self.category and self.lifecycle_status != LifecycleStatus.IN_DESIGN:
            errors["category"] = _("Choose its category: only an offering in design may be without one.")
        name_errors = _price_name_errors(self.price_names, self.data_requirements)
        if name_errors:
            errors["price_names"] = name_errors
        if self.is_bespoke and not self.requires_feasibility:
            errors["requires_feasibility"] = _("A bespoke offering always needs a feasibility assessment.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_off_the_shelf(self) -> bool:
        return not self.is_bespoke

    def is_sold_to(self, kind: str) -> bool:
        """Whether a customer of this kind (individual, organisation) can have this offering."""
        return not self.customer_kinds or kind in self.customer_kinds

    def is_serviceable_with(self, technologies) -> bool:
        """Whether an address served by these technologies can have this offering."""
        if not self.serviceable_technologies:
            return True
        return bool(set(self.serviceable_technologies) & set(technologies))


class FulfilmentStep(models.Model):
    """One task template in an offering's fulfilment plan, run by a downstream system."""

    class System(models.TextChoices):
        LOGISTICS = "logistics", _("Logistics (equipment shipping)")
        FIELD_SERVICE = "field_service", _("Field service (engineer visits)")
        NETWORK = "network", _("Network activation")
        BILLING = "billing", _("Billing")
        DESIGN = "design", _("Solution design")

    offering = models.ForeignKey(ProductOffering, models.CASCADE, related_name="fulfilment_steps")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    system = models.CharField(max_length=20, choices=System.choices)
    sequence = models.PositiveSmallIntegerField(default=10)
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="dependants")
    is_point_of_no_return = models.BooleanField(
        default=False, help_text=_("Once this step has started, the order can no longer be cancelled.")
    )
    expected_duration_hours = models.PositiveIntegerField(default=24)
    # A step some configurations do not need (an eSIM is never shipped): the item's characteristics
    # must have these values for the step to be planned. Empty: every item needs it.
    applies_when = models.JSONField(
        _("applies when"),
        default=dict,
        blank=True,
        help_text=_(
            'Plan this step only for items whose characteristics have these values, e.g. {"sim_type": "physical"}. '
            "Leave empty for every item."
        ),
    )

    class Meta:
        ordering = ["offering", "sequence"]
        constraints = [models.UniqueConstraint(fields=["offering", "code"], name="unique_step_code_per_offering")]

    def __str__(self):
        return f"{self.offering.code}: {self.name}"

    def clean(self):
        super().clean()
        try:
            requirements = self.offering.data_requirements
        except ProductOffering.DoesNotExist:  # a step of an offering not yet saved
            requirements = []
        errors = condition_errors(self.applies_when, requirements)
        if errors:
            raise ValidationError({"applies_when": errors})


def condition_errors(condition, requirements) -> list[str]:
    """What is wrong with a step's `applies_when` against the offering's settings (empty: nothing)."""
    if condition in (None, {}):
        return []
    if not isinstance(condition, dict):
        return [_('Write the condition as settings and values, e.g. {"sim_type": "physical"}.')]
    specs = {spec.get("name"): spec for spec in requirements or [] if isinstance(spec, dict)}
    errors = []
    for name, value in condition.items():
        spec = specs.get(name)
        if spec is None or spec.get("type") == "group":
            errors.append(
                _("%(name)s is not a setting of this offering. Its settings: %(known)s.")
                % {"name": name, "known": ", ".join(n for n, s in specs.items() if s.get("type") != "group") or "none"}
            )
        elif spec.get("type") == "choice" and "choices_from" not in spec:
            allowed = [option for option, _label in choice_options(spec)]
            if value not in allowed:
                errors.append(
                    _("%(label)s can't be %(value)s: choose one of %(allowed)s.")
                    % {"label": label_of(spec), "value": value, "allowed": ", ".join(allowed)}
                )
        elif spec.get("type") == "boolean" and not isinstance(value, bool):
            errors.append(_("%(label)s is yes or no: write true or false.") % {"label": label_of(spec)})
        elif isinstance(value, (dict, list)):
            errors.append(_("%(label)s must be compared with a single value.") % {"label": label_of(spec)})
    return errors


def _price_name_errors(names, requirements) -> list[str]:
    """What is wrong with an offering's price names (empty: nothing)."""
    if names is None:  # the admin's field left empty: the names are made
        return []
    if not isinstance(names, dict):
        return [_('Write the names as prices and names, e.g. {"recurring": "Hosted PBX monthly"}.')]
    errors = []
    for key, name in names.items():
        group, _dot, kind = key.rpartition(".")
        spec = spec_at(requirements, group) if group else None
        if kind not in PRICE_KINDS or (group and (spec is None or spec.get("type") != "group")):
            errors.append(
                _('%(key)s is not a price of this offering: "one_off", "recurring", or a group\'s path and kind.')
                % {"key": key}
            )
        elif not isinstance(name, str) or not name.strip() or len(name) > PRICE_NAME_MAX_LENGTH:
            errors.append(
                _("The name of %(key)s must be text of 1 to %(max)s characters.")
                % {"key": key, "max": PRICE_NAME_MAX_LENGTH}
            )
    return errors
