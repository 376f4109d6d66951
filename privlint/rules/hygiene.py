"""account-hygiene: administrative ports open to the internet (PUG-12), weak password policy (PUG-4)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from privlint.model.inventory import IngressRule, Inventory
from privlint.model.settings import Settings
from privlint.rules.base import Hit, rule

ADMIN_PORTS = {22: "SSH", 3389: "RDP", 5985: "WinRM", 5986: "WinRM over HTTPS"}
_ALL_PROTOCOLS = {"-1", "all", "any"}
_TCP = {"tcp", "6"}


def is_internet(cidr: str) -> bool:
    """0.0.0.0/0 or ::/0, including spellings like 192.168.1.0/0 whose /0 mask also means everywhere."""
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def open_admin_ports(ingress: IngressRule) -> list[int]:
    if ingress.protocol in _ALL_PROTOCOLS:
        return sorted(ADMIN_PORTS)
    if ingress.protocol not in _TCP:
        return []
    low = ingress.from_port if ingress.from_port is not None else None
    high = ingress.to_port if ingress.to_port is not None else low
    if low is None or high is None:
        return []
    if low == -1 and high == -1:
        return sorted(ADMIN_PORTS)
    return [p for p in sorted(ADMIN_PORTS) if low <= p <= high]


@rule("PL401")
def admin_port_open(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for ingress in inventory.ingress_rules:
        world = [c for c in ingress.cidrs if is_internet(c)]
        ports = open_admin_ports(ingress)
        if not world or not ports:
            continue
        names = ", ".join(f"{p} ({ADMIN_PORTS[p]})" for p in ports)
        yield Hit(
            resource=ingress.address,
            location=ingress.location,
            message=f"{ingress.address} opens administrative port{'s' if len(ports) > 1 else ''} {names} to {', '.join(world)}: allow only the VPN or bastion CIDR.",
        )


@rule("PL402")
def weak_password_policy(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for policy in inventory.password_policies:
        # A setting that could not be resolved is no finding; the other one is still judged.
        problems = []
        length, reuse = policy.minimum_length, policy.reuse_prevention
        if not policy.unknown_minimum_length and (length is None or length < settings.min_password_length):
            shown = policy.minimum_length if policy.minimum_length is not None else "unset (AWS default 8)"
            problems.append(f"minimum length {shown} < {settings.min_password_length}")
        if not policy.unknown_reuse_prevention and (reuse is None or reuse < settings.password_reuse_prevention):
            shown = policy.reuse_prevention if policy.reuse_prevention is not None else "unset"
            problems.append(f"reuse prevention {shown} < {settings.password_reuse_prevention}")
        if not problems:
            continue
        yield Hit(
            resource=policy.address,
            location=policy.location,
            message=f"Account password policy {policy.address} is weaker than required ({'; '.join(problems)}): raise minimum_password_length and password_reuse_prevention.",
        )
