"""Which callback addresses we call: one vetting for registration and delivery (orders.callbacks)."""

import pytest

from orders import callbacks

# Each is refused with internal listeners refused (a deployment); the comment names the trick.
INTERNAL = [
    "http://127.0.0.1:8000/admin/",
    "http://localhost/events",
    "http://10.1.2.3/events",
    "http://172.16.0.1/events",
    "http://192.168.1.1/events",
    "http://100.64.0.1/events",  # carrier-grade NAT
    "http://169.254.10.10/events",  # link-local
    "http://[::1]/events",
    "http://[fe80::1]/events",
    "http://[fd12:3456::1]/events",  # unique-local
]
# Each is refused even where internal listeners are allowed (the demo, the tests).
NEVER = [
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://[fd00:ec2::254]/latest/meta-data/",  # cloud metadata over IPv6
    "http://0.0.0.0:8000/",  # unspecified: Linux connects it to loopback
    "http://[::]:8000/",
    "http://224.0.0.1/events",  # multicast
    "http://[ff02::1]/events",
    "http://240.0.0.1/events",  # reserved
    "http://255.255.255.255/events",
    "http://192.0.2.10/events",  # documentation
    "http://[::ffff:127.0.0.1]/events",  # IPv4-mapped
    "http://[::ffff:a9fe:a9fe]/events",
    "http://[::127.0.0.1]/events",  # IPv4-compatible
    "http://[64:ff9b::a9fe:a9fe]/events",  # NAT64 of 169.254.169.254
    "http://[64:ff9b::7f00:1]/events",  # NAT64 of 127.0.0.1
    "http://[64:ff9b:1::808:808]/events",  # local-use NAT64
    "http://[2002:7f00:1::]/events",  # 6to4 of 127.0.0.1
    "http://[2002:808:808::1]/events",  # 6to4, even of a public address: a tunnel we do not need
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/events",  # Teredo (of 127.0.0.1)
    "http://[2001:db8::1]/events",  # documentation
]
NOT_HTTP = ["ftp://partner.example/events", "file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO", "http:///events"]


@pytest.mark.parametrize("url", INTERNAL + NEVER + NOT_HTTP)
def test_a_deployment_refuses_callbacks_into_our_network(url, settings):
    settings.HUB_CALLBACK_ALLOW_PRIVATE = False

    assert callbacks.callback_refusal(url)
    with pytest.raises(callbacks.CallbackRefused):
        callbacks.vet_callback(url)


@pytest.mark.parametrize("url", NEVER + NOT_HTTP)
def test_special_addresses_stay_refused_where_internal_listeners_are_allowed(url, settings):
    settings.HUB_CALLBACK_ALLOW_PRIVATE = True

    assert callbacks.callback_refusal(url)


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_listeners_are_allowed_for_the_demo_and_the_tests(url, settings):
    settings.HUB_CALLBACK_ALLOW_PRIVATE = True

    assert callbacks.callback_refusal(url) == ""


@pytest.mark.parametrize(
    "url",
    [
        "https://93.184.215.14/events",
        "http://[2606:4700::1111]:8080/events",
        "https://[64:ff9b::808:808]/events",  # NAT64 of a public address: how an IPv6-only network reaches it
    ],
)
def test_a_public_address_is_a_fine_callback(url, settings):
    settings.HUB_CALLBACK_ALLOW_PRIVATE = False

    assert callbacks.callback_refusal(url) == ""


def test_a_name_is_refused_when_any_of_its_addresses_is_internal(settings, monkeypatch):
    settings.HUB_CALLBACK_ALLOW_PRIVATE = False
    monkeypatch.setattr(callbacks, "resolve", lambda host, port: ["93.184.215.14", "10.0.0.5"])

    assert callbacks.callback_refusal("https://partner.test/hook") == (
        "partner.test is an internal address (10.0.0.5, private); events go only to public hosts"
    )


def test_the_reason_names_the_address_a_tunnel_leads_to(settings):
    settings.HUB_CALLBACK_ALLOW_PRIVATE = False

    assert "6to4 address (of 127.0.0.1)" in callbacks.callback_refusal("http://[2002:7f00:1::]/")
    assert "NAT64 of 169.254.169.254, a cloud metadata service" in callbacks.callback_refusal(
        "http://[64:ff9b::a9fe:a9fe]/"
    )


def test_a_vetted_callback_keeps_the_addresses_it_was_checked_with(settings, monkeypatch):
    settings.HUB_CALLBACK_ALLOW_PRIVATE = False
    monkeypatch.setattr(callbacks, "resolve", lambda host, port: ["93.184.215.14", "2606:4700::1111"])

    vetted = callbacks.vet_callback("https://Partner.test/hook/events?tenant=7")

    assert vetted == callbacks.VettedCallback(
        "https", "partner.test", 443, "/hook/events?tenant=7", ("93.184.215.14", "2606:4700::1111")
    )


def test_a_name_that_does_not_resolve_is_refused_in_a_deployment_only(settings):
    settings.HUB_CALLBACK_ALLOW_PRIVATE = False
    assert callbacks.callback_refusal("https://nowhere.invalid/hook") == "nowhere.invalid cannot be resolved"

    settings.HUB_CALLBACK_ALLOW_PRIVATE = True  # the demo's listener may come up later; delivery vets again
    assert callbacks.callback_refusal("https://nowhere.invalid/hook") == ""
