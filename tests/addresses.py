"""This machine's own address on its network: requests from it do not come from loopback."""

from __future__ import annotations

import ipaddress
import socket

import pytest

# A documentation address (TEST-NET-1): a UDP socket "connected" to it sends nothing, and says
# which local address the machine would send from.
_ANYWHERE = ("192.0.2.1", 9)


def outside_address() -> str:
    """An address of this machine that is not loopback; the test is skipped if it has none."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(_ANYWHERE)
            address = str(probe.getsockname()[0])
    except OSError:
        pytest.skip("this machine has no network address besides loopback")
    if ipaddress.ip_address(address).is_loopback or address == "0.0.0.0":  # noqa: S104
        pytest.skip("this machine has no network address besides loopback")
    return address
