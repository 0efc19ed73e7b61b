"""Badges as code from the command line: export an org's badges, plan a file against an org, apply it.

    python -m lib.promote export --base-url eu --user till.test --out badges.yaml [--badge ID_OR_NAME ...]
    python -m lib.promote plan badges.yaml --base-url eu --user till.prod
    python -m lib.promote apply badges.yaml --base-url eu --user till.prod

Credentials as in the bulk command line (`python -m lib.bulk`), whose helpers this uses: the password
from `--password` or, better, `BADGES_PASSWORD` (or a prompt on a terminal); `--auth oauth` takes the
client key and secret from `BADGES_CLIENT_KEY` and `BADGES_CLIENT_SECRET`. Nothing secret is printed.

`plan` writes nothing. `apply` plans again against the org as it is now and sends only what differs,
so running it again after a failure continues where it stopped. `--historical` creates badges that
have already started as historical badges (the migration header), the only way the API takes a
badge whose start is in the past.

Exit codes: 0 everything can apply (plan) or was applied (apply), or the export was written;
2 bad arguments or file; 3 credentials or permissions refused; 4 something cannot be applied, or the
run stopped at a failure (run it again once the cause is fixed).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from lib.api.client import BadgesClient
from lib.api.clusters import resolve_base_url
from lib.api.errors import AuthenticationError, BadgesError, PermissionDeniedError
from lib.bulk.cli import (
    EXIT_AUTH,
    EXIT_OK,
    EXIT_UNSETTLED,
    EXIT_USAGE,
    KEY_ENV,
    PASSWORD_ENV,
    SECRET_ENV,
    UsageError,
    credentials_from,
)
from lib.console.fanout import fan_out
from lib.promote.apply import apply
from lib.promote.document import BadgesDocument, DocumentError, dumps, loads
from lib.promote.export import UnknownBadgeError, export_org, read_org
from lib.promote.plan import make_plan
from lib.promote.report import apply_text, plan_text

EXIT_BLOCKED = EXIT_UNSETTLED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lib.promote",
        description="Export badges to a file, compare it with an org, and promote it there.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write badges, their groups and custom fields to a file")
    export.add_argument("--out", type=Path, required=True, help="file to write (.json for JSON, else YAML)")
    export.add_argument("--badge", action="extend", nargs="+", default=[], metavar="ID_OR_NAME",
                        help="badges to export (default: every badge of the org)")  # fmt: skip
    for name, text in (
        ("plan", "show what applying the file would do in the org; writes nothing"),
        ("apply", "create and update the org's badges, groups and custom fields as the file says"),
    ):
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument("file", type=Path, help="a file written by `export` (YAML or JSON)")
        sub.add_argument("--historical", action="store_true",
                         help="create badges whose start has passed as historical badges (X-CAP-BADGES-MIGRATION)")  # fmt: skip
    for sub in commands.choices.values():
        sub.add_argument("--base-url", required=True, help="cluster preset (eu, india, ...) or https URL")
        sub.add_argument("--auth", choices=["basic", "oauth"], default="basic",
                         help=f"basic: --user and a password; oauth: {KEY_ENV} and {SECRET_ENV}")  # fmt: skip
        sub.add_argument("--user", help="till username (Basic auth)")
        sub.add_argument("--password", help=f"till password (prefer the {PASSWORD_ENV} environment variable)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _main(args)
    except (UsageError, DocumentError, UnknownBadgeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _main(args: argparse.Namespace) -> int:
    document = _read(args.file) if args.command != "export" else None
    try:
        base_url = resolve_base_url(args.base_url)
        auth, user = credentials_from(args)
    except BadgesError as exc:
        raise UsageError(str(exc)) from None
    target = f"{base_url} (as {user})"
    with BadgesClient(base_url, auth) as client:
        try:
            if args.command == "export":
                return _export(client, args, target)
            assert document is not None
            if args.command == "plan":
                snapshot = read_org(client, document.badge_names, read_many=fan_out)
                plan = make_plan(document, snapshot, datetime.now(UTC), historical=args.historical)
                print(plan_text(plan, target=target))
                return EXIT_OK if plan.can_apply else EXIT_BLOCKED
            result = apply(
                client, document, now=lambda: datetime.now(UTC), historical=args.historical, read_many=fan_out,
                on_progress=lambda done, total: print(f"  {done}/{total} sent", file=sys.stderr),
            )  # fmt: skip
        except BadgesError as exc:
            return _failed(exc)
    print(apply_text(result, target=target))
    if result.failed is not None and result.failed.error is not None:
        return _failed(result.failed.error, quiet=True)
    return EXIT_OK if result.complete else EXIT_BLOCKED


def _export(client: BadgesClient, args: argparse.Namespace, target: str) -> int:
    document = export_org(client, args.badge, read_many=fan_out)
    text = dumps(document, as_json=args.out.suffix.lower() == ".json")
    args.out.write_text(text, encoding="utf-8")
    print(
        f"Exported {len(document.badges)} badge(s), {len(document.groups)} group(s) and "
        f"{len(document.custom_fields)} custom field(s) from {target} to {args.out}",
        file=sys.stderr,
    )
    return EXIT_OK


def _read(path: Path) -> BadgesDocument:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    return loads(text)


def _failed(exc: BadgesError, *, quiet: bool = False) -> int:
    if not quiet:
        print(f"error: {getattr(exc, 'message', exc)}", file=sys.stderr)
    return EXIT_AUTH if isinstance(exc, AuthenticationError | PermissionDeniedError) else EXIT_BLOCKED
