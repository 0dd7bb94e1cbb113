"""Capture step 4: installation and delivery (where, when, special requirements, a feasibility result known)."""

from __future__ import annotations

from django import forms
from django.shortcuts import render

from customers.commands import AddressRefused
from customers.models import Address
from orders import selectors
from orders.models import Order
from orders.services import record_feasibility, set_delivery
from ordersite.console.forms.customers import AddressForm
from ordersite.console.forms.orders import DeliveryStepForm
from ordersite.console.wizard import after_save, capture_context, needs_address


def delivery_step(request, order: Order):
    customer = order.customer
    items = list(order.items.all())
    needing = [item for item in items if needs_address(item)]
    addresses = list(
        Address.objects.filter(
            customer=customer, purpose=Address.Purpose.INSTALLATION, reference_street__isnull=False
        ).select_related("reference_street__district")
    )
    current = {item.install_address_id for item in needing} - {None}
    initial = {
        "appointment_preference": order.appointment_preference,
        "requested_start_date": order.requested_start_date,
        "special_requirements": order.special_requirements,
    }
    if len(current) == 1:
        initial["install_address"] = str(current.pop())
    elif len(addresses) == 1:
        initial["install_address"] = str(addresses[0].pk)
    elif not addresses:
        initial["install_address"] = DeliveryStepForm.NEW_ADDRESS
    form = DeliveryStepForm(
        request.POST if request.method == "POST" else None,
        addresses=addresses,
        needs_address=bool(needing),
        initial=initial,
    )
    address_form = AddressForm(
        request.POST if request.method == "POST" and form.wants_new_address else None,
        prefix="addr",
        initial={"purpose": Address.Purpose.INSTALLATION},
    )
    address_form.fields["purpose"].widget = forms.HiddenInput()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        address_ok = not form.wants_new_address or address_form.is_valid()
        address = None
        if needing and not form.wants_new_address and data.get("install_address"):
            address = next(a for a in addresses if str(a.pk) == data["install_address"])
        details = {
            "appointment_preference": data["appointment_preference"],
            "requested_start_date": data["requested_start_date"],
            "special_requirements": data["special_requirements"].strip(),
        }
        new_address = address_form.address_details() if form.wants_new_address and address_ok else None
        try:
            address = set_delivery(
                order, by=request.user, items=needing, address=address, new_address=new_address, **details
            )
        except AddressRefused as refused:
            address_form.add_error(None, refused)
            address_ok = False
            # What is valid is saved even while the address still needs fixing: a dropped call loses nothing.
            set_delivery(order, by=request.user, items=needing, **details)
        if needing and address is None and address_ok and not request.POST.get("goto"):
            form.add_error("install_address", "Choose where to install, or enter a new address.")
        if not form.errors and (address_ok or request.POST.get("goto")):
            if data["feasibility_result"]:
                # Only once the step is done, so a re-shown form cannot record the same result twice.
                record_feasibility(
                    order, by=request.user, result=data["feasibility_result"], notes=data["feasibility_notes"]
                )
            return after_save(request, order, "delivery")
    address_choices = [
        {
            "value": str(address.pk),
            "address": address,
            "unavailable": [
                i.offering.name for i in needing if not i.offering.is_serviceable_with(address.technologies)
            ],
        }
        for address in addresses
    ]
    context = capture_context(
        order,
        "delivery",
        customer,
        form=form,
        address_form=address_form,
        needing=needing,
        address_choices=address_choices,
        chosen_address=form["install_address"].value() if needing else "",
        may_record_feasibility=request.user.has_perm("orders.record_feasibility"),
        feasibility=list(selectors.with_feasibility_results(order).feasibility_assessments.all()),
    )
    return render(request, "console/capture/delivery.html", context)
