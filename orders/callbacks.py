"""Calling the URLs API clients give us (hub listener callbacks) without being turned against our own network.

A client registers a callback and we POST events to it later. Whoever controls that URL, or its DNS, could
aim us at the database, the admin or a cloud metadata service (server-side request forgery). So:

- one vetting function, `vet_callback`, when a listener registers and again before every delivery: http(s)
  only; the host is resolved once and every address it resolves to must be public (`address_refusal`);
- a delivery connects to exactly the addresses that were vetted, so a second lookup (DNS rebinding) never
  gets a say; the Host header, TLS SNI and the certificate check still use the hostname;
- redirects are never followed: a 3xx is the listener's answer, and not a successful one.

HUB_CALLBACK_ALLOW_PRIVATE lets listeners sit on internal addresses (loopback, private, link-local,
unique-local, carrier-grade NAT) for the demo and the tests; the other special-use addresses stay refused.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Where a cloud's instance metadata (and its credentials) answers: never a listener, whatever the settings.
CLOUD_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}

# Our own networks: a listener may sit here only when HUB_CALLBACK_ALLOW_PRIVATE is on.
INTERNAL_NETWORKS = [
    (ipaddress.ip_network(cidr), kind)
    for kind, cidrs in {
        "loopback": ["127.0.0.0/8", "::1/128"],
        "private": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
        "link-local": ["169.254.0.0/16", "fe80::/10"],
        "unique-local": ["fc00::/7"],
        "carrier-grade NAT": ["100.64.0.0/10"],
    }.items()
    for cidr in cidrs
]

# The well-known NAT64 prefix is routable and carries an IPv4 address in its last 32 bits: an IPv6-only
# network reaches public IPv4 hosts through it, so it is as good or as bad as the address it carries.
NAT64 = ipaddress.ip_network("64:ff9b::/96")

# IPv6 forms that carry or tunnel an IPv4 address; the stack may deliver them to that address, so a
# listener on them could reach 127.0.0.1 or 169.254.169.254 (Python's is_global calls some of them public).
TUNNELS = [
    (ipaddress.ip_network("::ffff:0:0/96"), "an IPv4-mapped IPv6 address"),
    (ipaddress.ip_network("::/96"), "an IPv4-compatible IPv6 address"),
    (ipaddress.ip_network("64:ff9b:1::/48"), "a local-use NAT64 address"),
    (ipaddress.ip_network("2002::/16"), "a 6to4 address"),
    (ipaddress.ip_network("2001::/32"), "a Teredo address"),
]


def address_refusal(address: IPAddress, *, allow_internal: bool) -> str:
    """What kind of address this is when we must not connect to it; "" when we may."""
    if address in CLOUD_METADATA:
        return "a cloud metadata service"
    if address.is_unspecified or address.is_multicast:
        return "unspecified" if address.is_unspecified else "multicast"
    for network, kind in INTERNAL_NETWORKS:  # before the tunnels: ::1 sits inside ::/96
        if address in network:
            return "" if allow_internal else kind
    if address in NAT64:
        carried = ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
        refusal = address_refusal(carried, allow_internal=False)
        return f"NAT64 of {carried}, {refusal}" if refusal else ""
    for network, kind in TUNNELS:
        if address in network:
            carried = embedded_ipv4(address)
            return f"{kind} (of {carried})" if carried else kind
    if address.is_reserved or not address.is_global:
        return "a reserved or special-use address"
    return ""


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a mapped, compatible, 6to4 or Teredo address leads to, for the reason we give."""
    if address.ipv4_mapped or address.sixtofour:
        return address.ipv4_mapped or address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in ipaddress.ip_network("::/96"):
        return ipaddress.IPv4Address(int(address))
    return None


class CallbackRefused(Exception):
    """A callback we will not call; the message says why (it ends up in the API error or the delivery)."""


class CallbackUnresolvable(CallbackRefused):
    """The callback's host name does not resolve (now)."""


@dataclass(frozen=True)
class VettedCallback:
    """A callback URL taken apart, with the addresses its host resolved to and that passed the vetting."""

    scheme: str
    host: str  # for the Host header, TLS SNI and the certificate check
    port: int
    target: str  # path and query
    addresses: tuple[str, ...]  # connect to these, never to a fresh lookup of `host`


def resolve(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to: the only DNS lookup of a callback (tests swap in a rebinding one)."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def vet_callback(url: str) -> VettedCallback:
    """The callback, resolved once and with every address checked; raises CallbackRefused with the reason."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CallbackRefused("must be an http or https URL")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        host = parts.hostname.encode("idna").decode("ascii")
    except (ValueError, UnicodeError) as failure:
        raise CallbackRefused(f"is not a valid URL ({failure})") from failure
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        addresses = []
    if not addresses:
        raise CallbackUnresolvable(f"{host} cannot be resolved")
    for address in addresses:
        # A link-local address may come with its interface (%eth0): that is where to connect, not what it is.
        kind = address_refusal(
            ipaddress.ip_address(address.split("%")[0]), allow_internal=settings.HUB_CALLBACK_ALLOW_PRIVATE
        )
        if kind:
            raise CallbackRefused(f"{host} is an internal address ({address}, {kind}); events go only to public hosts")
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    return VettedCallback(parts.scheme, host, port, target, tuple(addresses))


def callback_refusal(url: str) -> str:
    """Why a listener may not register this callback, or "" if it may.

    With internal listeners allowed (the demo, the tests) a name that does not resolve yet is accepted: its
    listener may not be up yet, and every delivery vets the callback again anyway.
    """
    try:
        vet_callback(url)
    except CallbackUnresolvable as refusal:
        return "" if settings.HUB_CALLBACK_ALLOW_PRIVATE else str(refusal)
    except CallbackRefused as refusal:
        return str(refusal)
    return ""


@dataclass(frozen=True)
class Answer:
    status: int
    location: str  # where a 3xx wanted us to go, for the delivery's reason (never followed)


def post(callback: VettedCallback, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST to the vetted addresses in turn until one accepts the connection; the answer is not followed.

    Only a failed connection moves on to the next address: once a request went out it is not sent twice.
    Raises OSError (ssl.SSLError, timeouts and refused connections among them) when none answers.
    """
    failure: OSError = ConnectionError(f"{callback.host} has no address to connect to")
    for address in callback.addresses:
        connection = pinned_connection(callback, address, timeout)
        try:
            connection.connect()
        except OSError as refused:
            connection.close()
            failure = refused
            continue
        try:
            connection.request("POST", callback.target, body=body, headers=headers)
            response = connection.getresponse()
            return Answer(response.status, response.getheader("Location", ""))
        finally:
            connection.close()
    raise failure


def pinned_connection(callback: VettedCallback, address: str, timeout: float) -> http.client.HTTPConnection:
    if callback.scheme == "https":
        return PinnedHTTPSConnection(callback.host, callback.port, address=address, timeout=timeout)
    return PinnedHTTPConnection(callback.host, callback.port, address=address, timeout=timeout)


class PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to `host` (its Host header) made to an address chosen beforehand, not looked up."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS: the handshake names `host` (SNI) and its certificate must be valid for `host`."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        self.tls = ssl.create_default_context()  # verifies the chain and the host name
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        plain = socket.create_connection((self.address, self.port), self.timeout)
        try:
            self.sock = self.tls.wrap_socket(plain, server_hostname=self.host)
        except BaseException:
            plain.close()
            raise
