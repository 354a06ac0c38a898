"""The address guard: the bot fetches links only from the public internet, never its own network."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import AsyncIterator, Callable
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
MOST_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_COMPATIBLE = ipaddress.IPv6Network("::/96")
_RESERVED = ipaddress.IPv6Network("::/8")


class PrivateAddress(OSError):
    """A link leads to an address that is not on the public internet (loopback, private, …)."""

    def __init__(self, host: str, address: str) -> None:
        super().__init__(f"{host} resolves to {address}, which is not a public address")
        self.host = host
        self.address = address


class TooManyRedirects(Exception):
    """A link redirected more than MOST_REDIRECTS times."""


def is_public(address: Address) -> bool:
    """Whether an address is globally reachable: not loopback, private, link-local or reserved.

    IPv4 written as IPv6 (::ffff:10.0.0.1, ::10.0.0.1, 64:ff9b::…, 2002:…) is judged as the IPv4
    it carries; the rest of ::/8 is reserved and refused.
    """
    if isinstance(address, ipaddress.IPv6Address):
        carried = (
            address.ipv4_mapped or address.sixtofour or _nat64(address) or _compatible(address)
        )
        if carried is not None:
            return is_public(carried)
        if address in _RESERVED:
            # Python counts most of ::/8 as global (IPv4-translated ::ffff:0:a.b.c.d among it);
            # no public host lives there.
            return False
    return address.is_global and not address.is_multicast


def _nat64(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _compatible(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    # IPv4-compatible (::a.b.c.d, deprecated): a stack that still routes it reaches the IPv4.
    # :: and ::1 are IPv6's own unspecified and loopback addresses, refused as ::/8.
    if address in _COMPATIBLE and int(address) > 1:
        return ipaddress.IPv4Address(int(address))
    return None


def literal(host: str) -> Address | None:
    """The address a URL's host names directly, in any spelling a socket takes; None for a name.

    Besides [::1] and 127.0.0.1 that is every legacy IPv4 form getaddrinfo reads as an address
    (2130706433, 127.1, 0177.0.0.1, 0x7f000001, 0) and a trailing dot (127.0.0.1.): the guard
    judges them itself, so that no HTTP library (aiohttp before 3.14.1 handed them to the
    socket unchecked) decides for it.
    """
    bare = host.strip("[]").removesuffix(".")
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if not bare.isascii():
        return None
    try:
        # What getaddrinfo does with a numeric host: glibc and the BSDs both read it so.
        return ipaddress.IPv4Address(socket.inet_aton(bare))
    except (OSError, ValueError):
        return None


class GuardedResolver(AbstractResolver):
    """Resolves names as usual, but refuses any whose addresses are not all public.

    aiohttp connects to the addresses a resolver returns, so what was checked is what is reached:
    a name cannot pass the check and then resolve elsewhere (DNS rebinding).
    """

    def __init__(
        self,
        allowed: Callable[[Address], bool] = is_public,
        inner: AbstractResolver | None = None,
    ) -> None:
        self._allowed = allowed
        self._inner = inner or DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The host's addresses, if every one of them is allowed; else PrivateAddress."""
        found = await self._inner.resolve(host, port, family)
        for result in found:
            address = ipaddress.ip_address(result["host"])
            if not self._allowed(address):
                raise PrivateAddress(host, str(address))
        return found

    async def close(self) -> None:
        """Release the resolver underneath."""
        await self._inner.close()


@contextlib.asynccontextmanager
async def following(
    session: aiohttp.ClientSession,
    url: str,
    *,
    allowed: Callable[[Address], bool],
    headers: Callable[[str], dict[str, str]],
) -> AsyncIterator[tuple[str, aiohttp.ClientResponse]]:
    """GET `url` and the redirects it leads to, each checked first; the last URL and response.

    Redirects are followed here, not by aiohttp, so that each hop's address is judged (a host
    written as an address never reaches the resolver) and gets headers of its own (a token
    only for the hosts that may see it).
    """
    for _ in range(MOST_REDIRECTS + 1):
        host = urlsplit(url).hostname or ""
        address = literal(host)
        if address is not None and not allowed(address):
            raise PrivateAddress(host, str(address))
        async with session.get(url, headers=headers(host), allow_redirects=False) as response:
            if response.status in REDIRECTS and "Location" in response.headers:
                url = urljoin(url, response.headers["Location"])
                continue
            yield url, response
            return
    raise TooManyRedirects(url)
