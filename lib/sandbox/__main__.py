"""`python -m lib.sandbox --host 127.0.0.1 --port 8600 --db PATH [--empty] [--profile remote]`: the
sandbox in the foreground, optionally behind a simulated remote cluster's network."""

from __future__ import annotations

import argparse

import uvicorn
from pydantic import ValidationError

from lib.sandbox.app import create_app
from lib.sandbox.demo_orgs import DEMO_ORGS
from lib.sandbox.network import PROFILES, NetworkProfile, NetworkSettings
from lib.sandbox.service import SandboxService


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lib.sandbox", description="Local Badges API sandbox")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: loopback only)")
    parser.add_argument("--port", type=int, default=8600)
    parser.add_argument("--db", default="sandbox.db", help="SQLite file (created if missing)")
    parser.add_argument("--empty", action="store_true", help="demo orgs only, no demo badges or history")
    parser.add_argument("--max-body-mb", type=float, default=5.0, help="largest request body accepted")
    parser.add_argument(
        "--access-log",
        action="store_true",
        help="print a line per request (off by default: it costs the server about as much as an "
        "issueBulk of 100 customers; the console keeps its own request log)",
    )
    network = parser.add_argument_group(
        "network profile", "simulate a remote cluster (the control plane and /docs are never affected)"
    )
    network.add_argument(
        "--profile",
        choices=list(PROFILES),
        default="off",
        help="; ".join(f"{name}: {p.summary()}" for name, p in PROFILES.items()).replace("%", "%%"),
    )
    network.add_argument("--latency-ms", type=float, help="mean round trip, over the profile's")
    network.add_argument("--jitter-ms", type=float, help="standard deviation of the round trip")
    network.add_argument("--rate", type=float, help="requests per second per org (0 = no limit)")
    network.add_argument("--seed", type=int, help="repeat the same latencies and faults on every run")
    return parser


def network_from(args: argparse.Namespace) -> NetworkProfile:
    """The profile the arguments ask for (ValidationError when a value is out of range)."""
    values = {"latency_ms": args.latency_ms, "jitter_ms": args.jitter_ms, "rate_per_s": args.rate}
    return NetworkSettings(profile=args.profile, seed=args.seed, **values).resolve()


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        network = network_from(args)
    except ValidationError as error:
        item = error.errors(include_url=False)[0]
        parser.error(f"{'.'.join(map(str, item['loc']))}: {item['msg']}")

    service = SandboxService(args.db, max_body_bytes=int(args.max_body_mb * 1024 * 1024))
    service.network.set(network)
    if not args.empty and service.is_empty():
        summary = service.seed()
        print(f"Demo data: {summary}")
    print(f"Badges API sandbox on http://{args.host}:{args.port}  (docs: /docs, data: {args.db})")
    for _, name, username, password in DEMO_ORGS:
        print(
            f"  org {name}: username {username!r}, password {password!r} (Basic auth sends md5 of the password)"
        )
    print(f"  network profile {network.name}: {network.summary()}")
    uvicorn.run(
        create_app(service), host=args.host, port=args.port, log_level="info", access_log=args.access_log
    )


if __name__ == "__main__":
    main()
