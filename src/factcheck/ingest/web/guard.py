"""SSRF guard: refuse to connect to addresses that are not on the public internet.

A sources file, a feed or a redirect can point the crawler at ``http://127.0.0.1:8080/admin``
or at a cloud metadata service (``169.254.169.254``). The check runs where the socket is
opened (a wrapper around httpcore's network backend), after DNS resolution, for every
connection: the first request, each redirect hop, robots.txt. Checking the URL before the
request would not be enough: a host name can resolve to a private address (or be re-bound
to one between the check and the connection).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import typing

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Address families refused unless ``allow_private_networks`` is set or the address lies in one
# of the allowed networks (FACTCHECK_ALLOWED_NETWORKS), in the order they are
# reported: (predicate name on ipaddress objects, what it catches in words).
BLOCKED_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("is_loopback", "loopback"),            # 127.0.0.0/8, ::1: this machine
    ("is_link_local", "link-local"),        # 169.254.0.0/16 (cloud metadata), fe80::/10
    ("is_multicast", "multicast"),          # 224.0.0.0/4, ff00::/8
    ("is_unspecified", "unspecified"),      # 0.0.0.0, ::
    ("is_private", "private"),              # 10/8, 172.16/12, 192.168/16, fc00::/7, ...
    ("is_reserved", "reserved"),            # 240.0.0.0/4 and IETF-reserved ranges
)


#: Refused whatever ``allow_private_networks`` says: allowing private networks opens intranets
#: and test servers, never a cloud provider's metadata service (credentials) or other
#: link-local hosts. Judged in every form (decimal ``2852039166``, IPv4-mapped IPv6 ...), as
#: the address is checked after resolution.
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254",      # AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle
    "fd00:ec2::254",        # AWS over IPv6
    "100.100.100.200",      # Alibaba Cloud
))


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: typing.Iterable[str]) -> tuple[Network, ...]:
    """Addresses and CIDR networks (``10.20.0.0/16``, ``127.0.0.1``, ``fd12::/48``) as network
    objects; a ``ValueError`` names the entry that is neither."""
    networks = []
    for entry in entries:
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"FACTCHECK_ALLOWED_NETWORKS: {entry!r} is not an IP address or "
                             "network (give addresses or CIDR networks such as 10.20.0.0/16, "
                             "not host names)") from None
    return tuple(networks)


def in_networks(address: str | IPAddress, networks: typing.Iterable[Network]) -> bool:
    """Whether ``address`` (or the IPv4 address an IPv6 one carries) lies in one of
    ``networks``."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    return any(candidate in network for candidate in _with_embedded(ip)
               for network in networks if candidate.version == network.version)


class BlockedAddressError(Exception):
    """A connection to a non-public address was refused by the SSRF guard."""

    def __init__(self, host: str, address: str, category: str, always: bool = False) -> None:
        advice = ("always refused, whatever allow_private_networks or allowed networks say"
                  if always else
                  "refused by the SSRF guard. List its network in FACTCHECK_ALLOWED_NETWORKS "
                  "(e.g. 10.20.0.0/16) to crawl an intranet or local site, or set "
                  "allow_private_networks (FACTCHECK_ALLOW_PRIVATE_NETWORKS=1) to allow every "
                  "private network")
        super().__init__(f"{host} resolves to {address} ({category} address); {advice}")
        self.host, self.address, self.category = host, address, category


def _with_embedded(ip: IPAddress) -> list[IPAddress]:
    out: list[IPAddress] = []
    if isinstance(ip, ipaddress.IPv6Address):
        out += [e for e in (ip.ipv4_mapped, ip.sixtofour, ip.teredo[1] if ip.teredo else None)
                if e is not None]
    return out + [ip]


def blocked_category(address: str | IPAddress) -> str | None:
    """The reason ``address`` is not a public internet address, or ``None`` when it is.

    IPv4 addresses embedded in IPv6 ones (mapped, 6to4, Teredo) are judged by the IPv4
    address they carry, so ``::ffff:127.0.0.1`` is loopback.
    """
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    for candidate in _with_embedded(ip):
        for predicate, label in BLOCKED_CATEGORIES:
            if getattr(candidate, predicate):
                return label
        if not candidate.is_global:
            return "not globally routable"
    return None


def always_blocked_category(address: str | IPAddress) -> str | None:
    """``"cloud metadata"`` or ``"link-local"`` for addresses refused even where private
    networks are allowed, else ``None``."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    for candidate in _with_embedded(ip):
        if candidate in METADATA_ADDRESSES:
            return "cloud metadata"
        if candidate.is_link_local:
            return "link-local"
    return None


def refusal(address: str, allow_private_networks: bool = False,
            allowed_networks: typing.Iterable[Network] = ()) -> tuple[str, bool] | None:
    """Why the guard refuses to connect to ``address`` (a resolved address, an IPv6 zone
    allowed): ``(category, always)``, ``always`` for link-local and cloud-metadata addresses,
    which no setting opens; None when it may connect."""
    bare = address.split("%", 1)[0]
    category = always_blocked_category(bare)
    if category:
        return category, True
    if allow_private_networks:
        return None
    category = blocked_category(bare)
    if category and not in_networks(bare, allowed_networks):
        return category, False
    return None


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that resolves the host itself, refuses non-public
    addresses, and connects to the address it checked (so DNS cannot change in between)."""

    def __init__(self, allow_private_networks: bool = False,
                 inner: httpcore.AsyncNetworkBackend | None = None,
                 allowed_networks: typing.Iterable[Network] = ()) -> None:
        self.allow_private_networks = allow_private_networks
        self.allowed_networks = tuple(allowed_networks)
        self._inner = inner or httpcore.AnyIOBackend()

    async def resolve(self, host: str, port: int, timeout: float | None) -> list[str]:
        try:
            ipaddress.ip_address(host)
            addresses = [host]
        except ValueError:
            loop = asyncio.get_running_loop()
            try:
                infos = await asyncio.wait_for(
                    loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout)
            except (socket.gaierror, asyncio.TimeoutError) as exc:
                raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
            addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for address in addresses:
            refused = refusal(address, self.allow_private_networks, self.allowed_networks)
            if refused:
                raise BlockedAddressError(host, address, *refused)
        return addresses

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        addresses = await self.resolve(host, port, timeout)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(address, port, timeout=timeout,
                                                     local_address=local_address,
                                                     socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
            except (OSError, OverflowError) as exc:
                last = httpcore.ConnectError(f"cannot connect to {address}:{port}: {exc}")
        assert last is not None
        raise last

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: typing.Iterable[httpcore.SOCKET_OPTION]
                                  | None = None) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not crawled")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with the connection pool built on :class:`GuardedBackend`.

    httpx does not take a network backend as an argument, so the pool is rebuilt here with
    the same options; ``tests/ingest/web`` checks that the guard is really in the path.
    """

    def __init__(self, *, allow_private_networks: bool, limits: httpx.Limits,
                 verify: bool = True, allowed_networks: typing.Iterable[Network] = ()) -> None:
        super().__init__(verify=verify, limits=limits, trust_env=False)
        ssl_context = httpx.create_ssl_context(verify=verify, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(allow_private_networks,
                                           allowed_networks=allowed_networks),
        )
