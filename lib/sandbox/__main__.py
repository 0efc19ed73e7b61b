"""`python -m lib.sandbox --host 127.0.0.1 --port 8600 --db PATH [--empty]`: the sandbox in the foreground."""

from __future__ import annotations

import argparse

import uvicorn

from lib.sandbox.app import create_app
from lib.sandbox.service import DEMO_ORGS, SandboxService


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m lib.sandbox", description="Local Badges API sandbox")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: loopback only)")
    parser.add_argument("--port", type=int, default=8600)
    parser.add_argument("--db", default="sandbox.db", help="SQLite file (created if missing)")
    parser.add_argument("--empty", action="store_true", help="demo orgs only, no demo badges or history")
    parser.add_argument("--max-body-mb", type=float, default=5.0, help="largest request body accepted")
    args = parser.parse_args(argv)

    service = SandboxService(args.db, max_body_bytes=int(args.max_body_mb * 1024 * 1024))
    if not args.empty and service.is_empty():
        summary = service.seed()
        print(f"Demo data: {summary}")
    print(f"Badges API sandbox on http://{args.host}:{args.port}  (docs: /docs, data: {args.db})")
    for _, name, username, password in DEMO_ORGS:
        print(
            f"  org {name}: username {username!r}, password {password!r} (Basic auth sends md5 of the password)"
        )
    uvicorn.run(create_app(service), host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
