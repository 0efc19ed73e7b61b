"""Where a Capillary org lives: named cluster presets, or a checked custom base URL.

A base URL decides where the org's credentials are sent, so a custom one is checked strictly:
https only (plain http just for the local sandbox on a loopback address), no ``user:password@`` part,
no query or fragment, and never a link-local or cloud-metadata address (169.254.169.254 and friends),
which a pasted URL must not be able to reach with our Authorization header.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import urlsplit, urlunsplit

from lib.api._constants import API_PREFIX
from lib.api.errors import FieldProblem, RequestValidationError


@dataclass(frozen=True, slots=True)
class Cluster:
    name: str
    label: str
    base_url: str


CLUSTERS: Mapping[str, Cluster] = MappingProxyType(
    {
        "india": Cluster("india", "India", "https://apac.api.capillarytech.com"),
        "apac2": Cluster("apac2", "APAC2 (Singapore)", "https://apac2.api.capillarytech.com"),
        "eu": Cluster("eu", "EU", "https://eu.api.capillarytech.com"),
        "us": Cluster("us", "US", "https://us.api.capillarytech.com"),
        "china": Cluster("china", "China", "https://api.capillarytech.cn.com"),
    }
)
"""Cluster hosts from Capillary's API overview (reference section 2.1)."""

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
"""Hosts where plain http is accepted: the local sandbox."""

_METADATA_HOSTS = frozenset(
    {"metadata", "metadata.google.internal", "instance-data", "instance-data.ec2.internal"}
)
_METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("fd00:ec2::254"), ipaddress.ip_address("100.100.100.200")}
)
"""Metadata services outside the link-local ranges (AWS over IPv6, Alibaba Cloud)."""
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+))*$")
_API_SUFFIXES = (API_PREFIX, "/api_gateway/v1", "/api_gateway")


def resolve_base_url(preset_or_url: str) -> str:
    """Turn a preset name (``eu``) or a URL into the normalised base URL requests are built on.

    The result has no trailing slash; a pasted API path (``.../api_gateway/v1/badges``) and doubled
    slashes (``https://host//``) are removed. Raises ``RequestValidationError`` for anything unsafe.
    """
    text = (preset_or_url or "").strip()
    preset = CLUSTERS.get(text.lower())
    if preset is not None:
        return preset.base_url
    if not text:
        raise _invalid("enter a cluster name or an https:// URL")
    if "://" not in text:
        names = ", ".join(CLUSTERS)
        raise _invalid(f"{text!r} is neither a cluster ({names}) nor a URL starting with https://")

    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise _invalid(f"not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise _invalid("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise _invalid("credentials must not be part of the URL; enter them in the auth fields")
    if parts.query or parts.fragment:
        raise _invalid("the base URL must not have a query (?...) or fragment (#...)")
    if scheme not in {"https", "http"}:
        raise _invalid(f"unsupported scheme {scheme!r}; use https://")
    if scheme == "http" and host not in LOOPBACK_HOSTS:
        raise _invalid(
            "plain http is only allowed for the local sandbox (127.0.0.1, localhost, ::1); use https://"
        )
    _reject_internal_address(host)

    path = re.sub(r"/{2,}", "/", parts.path).rstrip("/")
    for suffix in _API_SUFFIXES:
        if path.endswith(suffix):
            path = path[: -len(suffix)].rstrip("/")
            break
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    return urlunsplit((scheme, netloc, path, "", ""))


def is_loopback(base_url: str) -> bool:
    """True when the URL points at this machine (the local sandbox)."""
    host = (urlsplit(base_url).hostname or "").lower()
    return host in LOOPBACK_HOSTS


def _reject_internal_address(host: str) -> None:
    if host in _METADATA_HOSTS:
        raise _invalid(f"{host} is a cloud metadata address, not a Capillary cluster")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if _NUMERIC_HOST.match(host):
            # 2852039166 or 0xa9.0xfe.0xa9.0xfe would reach 169.254.169.254 through the resolver.
            raise _invalid(f"unusual numeric host {host!r}; write IP addresses as a.b.c.d") from None
        return
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    if (
        address in _METADATA_ADDRESSES
        or address.is_link_local
        or address.is_unspecified
        or address.is_multicast
    ):
        raise _invalid(f"{host} is a link-local/metadata or unroutable address, not a Capillary cluster")


def _invalid(message: str) -> RequestValidationError:
    return RequestValidationError(f"base URL: {message}", problems=[FieldProblem("base_url", message)])
