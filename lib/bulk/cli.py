"""Headless bulk jobs: ``python -m lib.bulk enrol|import FILE --badge ID ...``.

The same journal, planner and runner as the console, for scripts and very large files:

    python -m lib.bulk enrol customers.csv --badge 6b02...  --base-url eu --user till.user \\
        --journal jobs.sqlite --results results.csv
    python -m lib.bulk import earned.xlsx --badge 6b02... --base-url eu --user till.user \\
        --journal jobs.sqlite --results results.csv

The password comes from ``--password`` or, better, ``BADGES_PASSWORD`` (or a prompt on a terminal);
it is never printed. ``--auth oauth`` uses a client key and secret from ``BADGES_CLIENT_KEY`` and
``BADGES_CLIENT_SECRET`` instead (tokens are fetched and renewed by the client). Running the same command again with the same ``--journal`` resumes the job (the
job key is the file's SHA-256 unless ``--job-key`` says otherwise), never re-planning it and never
sending a settled row again. Progress goes to stderr; the results file is CSV with one line per input
row (customerId, status succeeded/failed/skipped, ids, error code and message, requestId, attempts).

``--summary-json PATH`` also writes the outcome for schedulers: job id, state, exit code, rows per
status and the failed and skipped rows per error code and per reason.

Exit codes: 0 every row settled (failed rows are settled); 2 bad arguments, file or mapping;
3 credentials or permissions refused (job stopped, resumable); 4 job paused or rows still unsettled
(run the command again to resume); 5 the job is running in another process.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from lib.api.auth import BasicAuth, OAuthAuth
from lib.api.client import BadgesClient
from lib.api.clusters import resolve_base_url
from lib.api.errors import BadgesError
from lib.bulk import results
from lib.bulk.contained import read_untrusted
from lib.bulk.journal import Counts, JobState, Journal
from lib.bulk.limiter import LimiterView
from lib.bulk.mapping import mapping_problems, suggest_mapping
from lib.bulk.model import Operation, ValidatedInput
from lib.bulk.planner import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_CONCURRENCY,
    PlanError,
    PlanSettings,
    file_key,
    plan_job,
)
from lib.bulk.policy import RetryConfig
from lib.bulk.reader import FileReadError
from lib.bulk.runner import JobRunner, LeaseHeldError, RunConfig, RunResult
from lib.bulk.validate import MappingError, validate

PASSWORD_ENV = "BADGES_PASSWORD"
KEY_ENV, SECRET_ENV = "BADGES_CLIENT_KEY", "BADGES_CLIENT_SECRET"
EXIT_OK, EXIT_USAGE, EXIT_AUTH, EXIT_UNSETTLED, EXIT_BUSY = 0, 2, 3, 4, 5


class UsageError(Exception):
    """Something the person running the command must fix; printed without a traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lib.bulk",
        description="Enrol customers into a badge (issueBulk) or import earned badges, resumably.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, operation, text in (
        ("enrol", Operation.ENROL, "enrol customers (column customerId, optional issueEventDate)"),
        (
            "import",
            Operation.IMPORT,
            "import earned badges (columns customerId, earnEventDate, earnExpiresOn)",
        ),
    ):
        sub = commands.add_parser(name, help=text, description=text)
        sub.set_defaults(operation=operation)
        sub.add_argument("file", type=Path, help="CSV, XLSX, XLS or ODS file")
        sub.add_argument("--badge", required=True, help="badgeMetaId (24 hex characters)")
        sub.add_argument("--base-url", required=True, help="cluster preset (eu, india, ...) or https URL")
        sub.add_argument(
            "--auth",
            choices=["basic", "oauth"],
            default="basic",
            help=f"basic: --user and a password; oauth: client key and secret from {KEY_ENV} and {SECRET_ENV}",
        )
        sub.add_argument("--user", help="till username (Basic auth)")
        sub.add_argument("--password", help=f"till password (prefer the {PASSWORD_ENV} environment variable)")
        sub.add_argument(
            "--journal", required=True, type=Path, help="job journal file (SQLite); reuse it to resume"
        )
        sub.add_argument("--results", required=True, type=Path, help="per-row results CSV to write")
        sub.add_argument(
            "--summary-json",
            type=Path,
            help="also write a JSON summary (state, rows per status, per error code and per reason)",
        )
        sub.add_argument("--sheet", help="sheet of a workbook (default: the first)")
        sub.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        sub.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY,
                         help="most requests in flight; the job adapts below it to the server's pace")  # fmt: skip
        sub.add_argument("--job-key", help="name of this issuance (default: the file's SHA-256)")
        if operation is Operation.ENROL:
            sub.add_argument("--issue-event-date", help="ISO date/time or epoch seconds for rows without one")
        sub.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for an answer")
        sub.add_argument("--connect-timeout", type=float, default=5.0)
        retry = sub.add_argument_group("retry policy")
        defaults = RetryConfig()
        retry.add_argument("--max-attempts", type=int, default=defaults.max_attempts)
        retry.add_argument("--backoff-base", type=float, default=defaults.backoff_base)
        retry.add_argument("--backoff-cap", type=float, default=defaults.backoff_cap)
        retry.add_argument("--retry-after-cap", type=float, default=defaults.retry_after_cap,
                           help="pause the job when the server asks to wait longer than this")  # fmt: skip
        retry.add_argument("--settle-delay", type=float, default=defaults.settle_delay,
                           help="seconds before a second look at customers that seemed not enrolled")  # fmt: skip
        sub.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def parse_instant(text: str) -> int:
    """Epoch seconds from "1718000000", "2025-01-31" or "2025-01-31T10:00:00Z" (no offset = UTC)."""
    value = text.strip()
    if value.isascii() and value.isdigit():
        return int(value)
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--issue-event-date: '{text}' is not a date; use YYYY-MM-DD or epoch seconds"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp())


def read_input(path: Path, operation: Operation, sheet: str | None) -> tuple[bytes, ValidatedInput]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    try:
        table = read_untrusted(data, path.name, sheet=sheet)
    except FileReadError as exc:
        raise UsageError(str(exc)) from None
    mapping = suggest_mapping(operation, table.headers, table.frame.head(200))
    problems = mapping_problems(mapping, table.headers)
    if problems:
        raise UsageError(" ".join(problems))
    try:
        return data, validate(table.frame, mapping)
    except MappingError as exc:
        raise UsageError(" ".join(exc.problems)) from None


def credentials_from(args: argparse.Namespace) -> tuple[BasicAuth | OAuthAuth, str]:
    """The auth for the client and the org name the journal keys jobs by (username or client key).

    OAuth key and secret come from the environment only: a secret on the command line ends up in the
    shell history and in the process list."""
    if args.auth == "oauth":
        key, secret = os.environ.get(KEY_ENV, ""), os.environ.get(SECRET_ENV, "")
        if not key or not secret:
            raise UsageError(f"--auth oauth reads the client key and secret from {KEY_ENV} and {SECRET_ENV}")
        return OAuthAuth(key, secret), key
    if not args.user:
        raise UsageError("--user is required with Basic auth (or use --auth oauth)")
    return BasicAuth(args.user, password_from(args)), args.user


def password_from(args: argparse.Namespace) -> str:
    if args.password:
        return args.password
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if sys.stdin.isatty():
        return getpass.getpass("Password: ")
    raise UsageError(f"no password: pass --password or set {PASSWORD_ENV}")


def progress_line(counts: Counts, started: float, now: float, pace: LimiterView | None = None) -> str:
    total = counts.input_rows or 1
    share = counts.settled / total
    width = 30
    filled = int(share * width)
    speed = counts.settled / max(now - started, 1e-3)
    line = (
        f"\r[{'#' * filled}{'.' * (width - filled)}] {share:6.1%} {counts.settled:,}/{counts.input_rows:,}"
        f"  ok {counts.succeeded:,}  failed {counts.failed:,}  skipped {counts.skipped:,}"
        f"  pending {counts.pending:,}  {speed:,.0f} rows/s "
    )
    return line + (f" {pace.describe()} " if pace is not None else "")


def run_with_progress(runner: JobRunner, journal: Journal, job_id: str, *, quiet: bool) -> RunResult:
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["result"] = runner.run()
        except LeaseHeldError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="bulk-cli-runner", daemon=True)
    started = time.monotonic()
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.25)
            if not quiet:
                line = progress_line(journal.counts(job_id), started, time.monotonic(), runner.pace())
                sys.stderr.write(line)
                sys.stderr.flush()
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted: pausing after the requests in flight...\n")
        runner.pause("interrupted")
        thread.join()
    if not quiet:
        sys.stderr.write(
            progress_line(journal.counts(job_id), started, time.monotonic(), runner.pace()) + "\n"
        )
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["result"]  # type: ignore[return-value]


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _main(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _main(args: argparse.Namespace) -> int:
    operation: Operation = args.operation
    try:
        base_url = resolve_base_url(args.base_url)
        auth, org = credentials_from(args)
    except BadgesError as exc:
        raise UsageError(str(exc)) from None
    issue_date = getattr(args, "issue_event_date", None)
    settings = PlanSettings(
        batch_size=args.batch_size,
        concurrency=args.concurrency,
        issue_event_date=parse_instant(issue_date) if issue_date else None,
    )
    data, validated = read_input(args.file, operation, args.sheet)
    sha = file_key(data)
    journal = Journal(args.journal)
    try:
        try:
            job = plan_job(
                journal,
                validated,
                org=org,
                base_url=base_url,
                badge_id=args.badge.strip().lower(),
                job_key=args.job_key or sha,
                file_sha256=sha,
                file_name=args.file.name,
                settings=settings,
            )
        except PlanError as exc:
            raise UsageError(str(exc)) from None
        counts = journal.counts(job.job_id)
        resumed = job.state is not JobState.PLANNED
        print(
            f"{'resuming' if resumed else 'planned'} job {job.job_id}: {counts.input_rows:,} rows "
            f"({counts.settled:,} settled, {counts.pending:,} pending)",
            file=sys.stderr,
        )
        config = RunConfig(
            retry=RetryConfig(
                max_attempts=args.max_attempts,
                backoff_base=args.backoff_base,
                backoff_cap=args.backoff_cap,
                retry_after_cap=args.retry_after_cap,
                settle_delay=args.settle_delay,
            ),
            concurrency=args.concurrency,
        )
        with BadgesClient(
            base_url, auth, timeout=args.timeout, connect_timeout=args.connect_timeout, max_retries=0
        ) as client:
            runner = JobRunner(journal, job.job_id, client, config=config)
            try:
                outcome = run_with_progress(runner, journal, job.job_id, quiet=args.quiet)
            except LeaseHeldError as exc:
                print(f"error: {exc}; try again when it has finished", file=sys.stderr)
                return EXIT_BUSY
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_bytes(results.results_csv(journal, job.job_id))
        code = _report(outcome, args.results)
        if args.summary_json is not None:
            facts = results.summary(journal, job.job_id, state=outcome.state.value, reason=outcome.reason)
            args.summary_json.parent.mkdir(parents=True, exist_ok=True)
            args.summary_json.write_text(json.dumps({**facts, "exitCode": code}, indent=2) + "\n")
        return code
    finally:
        journal.close()


def _report(outcome: RunResult, results_path: Path) -> int:
    counts = outcome.counts
    print(
        f"{outcome.state.value}{f' ({outcome.reason})' if outcome.reason else ''}: "
        f"{counts.succeeded:,} succeeded, {counts.failed:,} failed, {counts.skipped:,} skipped, "
        f"{counts.pending:,} pending of {counts.input_rows:,} rows; results in {results_path}",
        file=sys.stderr,
    )
    if outcome.state is JobState.STOPPED:
        print("the job stopped: check the credentials and permissions, then run again", file=sys.stderr)
        return EXIT_AUTH
    if outcome.state is JobState.PAUSED or not counts.done:
        if outcome.resume_at:
            when = datetime.fromtimestamp(outcome.resume_at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            print(f"the job is paused; run the same command again after {when}", file=sys.stderr)
        else:
            print("the job is paused; run the same command again to resume", file=sys.stderr)
        return EXIT_UNSETTLED
    return EXIT_OK
