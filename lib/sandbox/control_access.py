"""Who may call the control plane (`/_sandbox/...`): scripts on this machine, never a web page.

The control plane has no credentials and can wipe every org, so "a loopback client" is not enough:
a browser on the same machine is one, and any page it shows can POST a form to 127.0.0.1 or rebind
its own DNS name to it. A request is answered only when all of these hold:

- the client address is a loopback IP (127.0.0.0/8, ::1, ::ffff:127.x), compared as an address;
- the `Host` header is a loopback IP literal or `localhost` (a rebound name is refused);
- an `Origin` header, if any, is this server's own loopback origin (http://127.x.x.x:PORT,
  http://localhost:PORT, http://[::1]:PORT);
- a body is not sent as a form type (urlencoded, multipart, text/plain: what an HTML form can send);
- `X-Sandbox-Control: 1` is present (a form cannot set it; a cross-site fetch that sets it needs a
  CORS preflight the sandbox never grants). `GET /_sandbox/health` is exempt, for liveness probes.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from starlette.requests import Request

from lib.sandbox import errors as E

CONTROL_HEADER = "X-Sandbox-Control"
CONTROL_HEADER_VALUE = "1"
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})


def is_loopback(address: str) -> bool:
    """True for a loopback IP address (IPv4 127.0.0.0/8, IPv6 ::1, v4-mapped ::ffff:127.x); never
    for a name, so `127.evil.com` and `localhost.evil` are not loopback."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def is_loopback_host(host_header: str) -> bool:
    """A `Host` header naming this machine: a loopback IP literal or `localhost`, with any port."""
    text = host_header.strip().lower()
    if text.startswith("["):  # [::1]:8600
        name, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":") if rest.startswith(":") else rest
        is_v6 = True
    else:
        name, _, port = text.partition(":")
        is_v6 = False
    if port and not (port.isascii() and port.isdigit()):
        return False
    return name == "localhost" or (is_loopback(name) and (":" in name) == is_v6)


def is_own_origin(origin: str, server_port: int | None) -> bool:
    """An `Origin` of this very server, reached over loopback (a page of its own /docs)."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port or 80
    except ValueError:
        return False
    host = parts.hostname or ""
    local = host == "localhost" or is_loopback(host)
    return parts.scheme == "http" and local and not parts.path and port == server_port


def check_control_request(request: Request, *, needs_header: bool = True) -> None:
    """Raise the 403 that says what to change, or return when the request may be answered."""
    client = request.client.host if request.client else ""
    if not is_loopback(client):
        raise E.LoopbackOnly()
    headers = request.headers
    host = headers.get("host", "")
    if not is_loopback_host(host):
        raise E.ForeignRequest(
            f"Refused the Host header '{_shown(host)}': address the sandbox as 127.0.0.1, [::1] or "
            "localhost (other host names are refused, a DNS-rebinding defence)"
        )
    origin = headers.get("origin")
    server = request.scope.get("server")
    if origin is not None and not is_own_origin(origin, server[1] if server else None):
        raise E.ForeignRequest(
            f"Refused a request sent by the web page at '{_shown(origin)}': the control plane answers "
            "scripts on this machine (curl, httpx), not browsers on other origins"
        )
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    has_body = headers.get("content-length", "0") != "0" or "transfer-encoding" in headers
    if has_body and media_type in FORM_TYPES:
        raise E.ForeignRequest(
            f"Refused a body sent as {media_type}: send JSON with the Content-Type: application/json header"
        )
    if needs_header and headers.get(CONTROL_HEADER) != CONTROL_HEADER_VALUE:
        raise E.ForeignRequest(
            f"Send the {CONTROL_HEADER}: {CONTROL_HEADER_VALUE} header: the control plane requires it so "
            "that no web page can call it"
        )


def _shown(text: str) -> str:
    return text if len(text) <= 60 else f"{text[:50]}... ({len(text)} characters)"
