"""Customers, their contacts, addresses and interactions, the installed base, and address reference data."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from customers.telephone import NumberKind, national, to_e164, unbroken


class Channel(models.TextChoices):
    """Where an order or interaction came from; every channel sees the same orders."""

    CALL_CENTRE = "call_centre", _("Call centre")
    RETAIL = "retail", _("Retail store")
    DEALER = "dealer", _("Dealer")
    AFFILIATE = "affiliate", _("Affiliate")
    SELF_SERVICE = "self_service", _("Self-service")
    API = "api", _("API")


STAFF_CHANNELS = [Channel.CALL_CENTRE, Channel.RETAIL, Channel.DEALER, Channel.AFFILIATE]


class User(AbstractUser):
    """A login: staff (agents, supervisors) work in a channel; a customer login is tied to one customer."""

    channel = models.CharField(
        max_length=20,
        choices=[(c.value, c.label) for c in STAFF_CHANNELS],
        default=Channel.CALL_CENTRE,
        help_text=_("The channel this staff member captures orders in."),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="logins",
        help_text=_("Set for customer logins only: the one customer record this login may see."),
    )

    def clean(self):
        super().clean()
        if self.customer_id and self.is_staff:
            raise ValidationError(_("A customer login cannot be staff."))


class CustomerKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ORGANISATION = "organisation", _("Organisation")


class CreditClass(models.TextChoices):
    """Outcome of the last credit check; drives whether an order needs a fresh one."""

    A = "A", _("A: excellent")
    B = "B", _("B: good")
    C = "C", _("C: fair, deposit may apply")
    D = "D", _("D: poor, check every order")
    UNRATED = "unrated", _("Not yet rated")


class CustomerStatus(models.TextChoices):
    # TMF629 leaves status free text; these are the values we use.
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class Customer(models.Model):
    # Filled from the primary key right after the insert, so concurrent sign-ups never collide.
    number = models.CharField(max_length=20, unique=True, null=True, editable=False)
    kind = models.CharField(max_length=20, choices=CustomerKind.choices, default=CustomerKind.INDIVIDUAL)
    name = models.CharField(max_length=200, help_text=_("Full name, or the organisation's legal name."))
    trading_name = models.CharField(max_length=200, blank=True)
    company_number = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    status = models.CharField(max_length=20, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE)
    credit_class = models.CharField(max_length=10, choices=CreditClass.choices, default=CreditClass.UNRATED)
    credit_checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["name"]),
            models.Index(fields=["phone"]),
            # Numbers are looked up case-insensitively (number__iexact) by agents and API clients alike.
            models.Index(Upper("number"), name="customer_number_upper_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.number})"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if not self.number:
            self.number = f"CUS-{self.pk:06d}"
            Customer.objects.filter(pk=self.pk).update(number=self.number)

    def clean(self):
        super().clean()
        if self.kind == CustomerKind.INDIVIDUAL and (self.company_number or self.trading_name):
            raise ValidationError(_("Trading name and company number apply to organisations only."))

    @property
    def matched_line_number(self) -> str:
        """The line a search by number matched ("07700 900123"), on search_customers' results only."""
        e164 = getattr(self, "matched_line", None)
        return unbroken(national(e164)) if e164 else ""

    @property
    def primary_contact(self):
        return next((c for c in self.contacts.all() if c.is_primary), None)


class Contact(models.Model):
    class Role(models.TextChoices):
        PRIMARY = "primary", _("Primary contact")
        BILLING = "billing", _("Billing")
        TECHNICAL = "technical", _("Technical")
        SITE = "site", _("Site contact")

    customer = models.ForeignKey(Customer, models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PRIMARY)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=models.Q(is_primary=True), name="one_primary_contact_per_customer"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"

    def clean(self):
        super().clean()
        if not self.email and not self.phone:
            raise ValidationError(_("Give at least an email address or a phone number."))


class Technology(models.TextChoices):
    FIBRE = "fibre", _("Fibre (FTTP)")
    VDSL = "vdsl", _("VDSL (copper)")
    CABLE = "cable", _("Cable (DOCSIS)")
    MOBILE_5G = "5g", _("5G mobile")
    MOBILE_4G = "4g", _("4G mobile")
    ETHERNET = "ethernet", _("Leased-line Ethernet")


class District(models.Model):
    """Address reference data: an area of the demo region and the technologies that serve it."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100)
    town = models.CharField(max_length=100)
    technologies = models.JSONField(default=list, blank=True, help_text=_("Technology codes serving this area."))

    class Meta:
        ordering = ["town", "name"]

    def __str__(self):
        return f"{self.name}, {self.town}"


class Street(models.Model):
    """Address reference data: a street segment with the house numbers it holds and its postcode."""

    class Parity(models.TextChoices):
        ALL = "all", _("All numbers")
        ODD = "odd", _("Odd numbers")
        EVEN = "even", _("Even numbers")

    district = models.ForeignKey(District, models.PROTECT, related_name="streets")
    name = models.CharField(max_length=100)
    postcode = models.CharField(max_length=10)
    first_number = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField()
    parity = models.CharField(max_length=4, choices=Parity.choices, default=Parity.ALL)

    class Meta:
        ordering = ["name", "first_number"]
        indexes = [models.Index(fields=["postcode"]), models.Index(fields=["name"])]

    def __str__(self):
        return f"{self.name} {self.first_number}-{self.last_number}, {self.postcode}"

    def holds(self, number: int) -> bool:
        if not self.first_number <= number <= self.last_number:
            return False
        if self.parity == self.Parity.ODD:
            return number % 2 == 1
        if self.parity == self.Parity.EVEN:
            return number % 2 == 0
        return True


class Address(models.Model):
    class Purpose(models.TextChoices):
        INSTALLATION = "installation", _("Installation / service site")
        BILLING = "billing", _("Billing")
        POSTAL = "postal", _("Postal")

    customer = models.ForeignKey(Customer, models.CASCADE, related_name="addresses")
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.INSTALLATION)
    street = models.CharField(max_length=100)
    house_number = models.CharField(max_length=10)
    unit = models.CharField(max_length=30, blank=True, help_text=_("Flat, floor or unit, if any."))
    postcode = models.CharField(max_length=10)
    town = models.CharField(max_length=100)
    country = models.CharField(max_length=2, default="GB")
    # Set when the address matched the reference data; serviceability is read through it.
    reference_street = models.ForeignKey(Street, models.SET_NULL, null=True, blank=True, related_name="+")
    validated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "addresses"
        ordering = ["purpose", "street", "house_number"]

    def __str__(self):
        unit = f"{self.unit}, " if self.unit else ""
        return f"{unit}{self.house_number} {self.street}, {self.town} {self.postcode}"

    @property
    def is_validated(self) -> bool:
        return self.reference_street_id is not None

    @property
    def technologies(self) -> list[str]:
        return list(self.reference_street.district.technologies) if self.reference_street_id else []


class Interaction(models.Model):
    """The customer interaction log: every contact, whatever the channel."""

    class Kind(models.TextChoices):
        CALL = "call", _("Phone call")
        EMAIL = "email", _("Email")
        VISIT = "visit", _("Store visit")
        SELF_SERVICE = "self_service", _("Self-service")
        NOTE = "note", _("Note")

    customer = models.ForeignKey(Customer, models.CASCADE, related_name="interactions")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CALL)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.CALL_CENTRE)
    summary = models.TextField()
    recorded_by = models.ForeignKey("customers.User", models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.created_at:%Y-%m-%d}"


class ProductStatus(models.TextChoices):
    # TMF637 ProductStatusType values, so the API needs no mapping.
    CREATED = "created", _("Created")
    PENDING_ACTIVE = "pendingActive", _("Pending active")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    PENDING_TERMINATE = "pendingTerminate", _("Pending terminate")
    TERMINATED = "terminated", _("Terminated")
    CANCELLED = "cancelled", _("Cancelled")


class InstalledProduct(models.Model):
    """A product the customer has (TMF637 Product): the installed base orders change."""

    customer = models.ForeignKey(Customer, models.PROTECT, related_name="products")
    offering = models.ForeignKey("orders.ProductOffering", models.PROTECT, related_name="installed_products")
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=ProductStatus.choices, default=ProductStatus.CREATED)
    characteristics = models.JSONField(default=dict, blank=True)
    install_address = models.ForeignKey(Address, models.PROTECT, null=True, blank=True, related_name="products")
    last_order_item = models.ForeignKey(
        "orders.OrderItem",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The order item that created or last changed this product."),
    )
    start_date = models.DateField(null=True, blank=True)
    termination_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["customer", "-created_at"]
        indexes = [models.Index(fields=["customer", "status"])]

    def __str__(self):
        return f"{self.name} [{self.get_status_display()}]"

    @property
    def line_number(self) -> str:
        """The line's number as people write it ("07700 900123"), once assigned; empty for other products.

        Lists load it with select_related("telephone_number"), so it costs no query per product.
        """
        number = getattr(self, "telephone_number", None)  # the reverse one-to-one raises an AttributeError
        return unbroken(number.national) if number is not None else ""

    @property
    def display_name(self) -> str:
        """ "Mobile Unlimited · 07700 900123": two lines of the same offering told apart."""
        return f"{self.name} · {self.line_number}" if self.line_number else self.name

    def clean(self):
        super().clean()
        if self.install_address_id and self.customer_id and self.install_address.customer_id != self.customer_id:
            raise ValidationError({"install_address": _("The address belongs to another customer.")})
        if self.offering_id and self.characteristics is not None:
            from orders.requirements import validate_characteristics

            errors = validate_characteristics(self.offering.data_requirements, self.characteristics)
            if errors:
                raise ValidationError({"characteristics": [str(e) for e in errors]})


class NumberStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    RESERVED = "reserved", _("Reserved for an order")
    PORTING_IN = "porting_in", _("Porting in")
    ASSIGNED = "assigned", _("Assigned to a product")
    QUARANTINED = "quarantined", _("Quarantined")


class TelephoneNumber(models.Model):
    """A number of the pool: offered at capture, held for an order item, then a product's for its life.

    Only one item and one product can hold a number (one-to-one), and the number itself is unique,
    so two orders never end up with the same number whatever the race.
    """

    e164 = models.CharField(_("number (E.164)"), max_length=16, unique=True, help_text=_("As +447700900123."))
    kind = models.CharField(max_length=20, choices=NumberKind.choices, default=NumberKind.MOBILE)
    status = models.CharField(max_length=20, choices=NumberStatus.choices, default=NumberStatus.AVAILABLE)
    order_item = models.OneToOneField(
        "orders.OrderItem",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="telephone_number",
        help_text=_("The order item it is held for, or that brought it to its product."),
    )
    product = models.OneToOneField(
        InstalledProduct, models.SET_NULL, null=True, blank=True, related_name="telephone_number"
    )
    held_until = models.DateTimeField(
        null=True, blank=True, help_text=_("A draft's hold ends then; empty once the order is submitted.")
    )
    ported_from = models.CharField(_("ported from"), max_length=100, blank=True)
    quarantined_until = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["e164"]
        indexes = [models.Index(fields=["kind", "status", "e164"], name="number_offer_idx")]

    def __str__(self):
        return self.national

    @property
    def national(self) -> str:
        """As people write it: 07700 900123."""
        return national(self.e164)

    def clean(self):
        super().clean()
        e164 = to_e164(self.e164 or "")
        if e164 is None:
            raise ValidationError({"e164": _("Not a telephone number.")})
        self.e164 = e164
