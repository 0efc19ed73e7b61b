"""Headless bulk jobs: ``python -m lib.bulk enrol|import FILE [--badge ID] ...`` and ``undo``.

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

``python -m lib.bulk undo --journal PATH --results PATH --base-url ... --user ... [--job ID]`` revokes
exactly what a job created (default: the journal's latest run); see `lib.bulk.cli_undo`.

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
from lib.api.models.instants import Naive, whole_seconds
from lib.api.models.instants import parse_instant as read_instant
from lib.bulk import export, results
from lib.bulk.cli_progress import ProgressStream
from lib.bulk.cli_undo import add_undo_parser, run_undo
from lib.bulk.journal import Counts, JobState, Journal
from lib.bulk.limiter import LimiterView
from lib.bulk.mapping import IdentifierType
from lib.bulk.model import Operation
from lib.bulk.planner import DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, PlanError, PlanSettings
from lib.bulk.policy import RetryConfig
from lib.bulk.resolve import ResolveError
from lib.bulk.runner import JobRunner, LeaseHeldError, RunConfig, RunResult
from lib.bulk.session import BulkSession, SessionError

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
        sub.add_argument(
            "--badge",
            help="badgeMetaId (24 hex characters); leave out when the file has a badgeMetaId or badge name column",
        )
        sub.add_argument(
            "--identifier",
            choices=[kind.value for kind in IdentifierType],
            help="what the customer column holds (default: detected from its header and values); "
            "mobile, email, externalId and cardNumber are looked up to customer ids first",
        )
        sub.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file, look customers up and print what would happen; writes and sends nothing",
        )
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
            "--journal",
            type=Path,
            help="job journal file (SQLite); reuse it to resume (required unless --dry-run)",
        )
        sub.add_argument(
            "--results", type=Path, help="per-row results CSV to write (required unless --dry-run)"
        )
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
        add_network_options(sub, settle=True)
        sub.add_argument("--quiet", action="store_true", help="no progress bar")
    add_undo_parser(commands)
    return parser


def add_network_options(sub: argparse.ArgumentParser, *, settle: bool) -> None:
    """Timeouts and the retry policy, the same for every command that sends (`settle`: reads back
    customers that seemed not enrolled)."""
    sub.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for an answer")
    sub.add_argument("--connect-timeout", type=float, default=5.0)
    retry = sub.add_argument_group("retry policy")
    defaults = RetryConfig()
    retry.add_argument("--max-attempts", type=int, default=defaults.max_attempts)
    retry.add_argument("--backoff-base", type=float, default=defaults.backoff_base)
    retry.add_argument("--backoff-cap", type=float, default=defaults.backoff_cap)
    retry.add_argument("--retry-after-cap", type=float, default=defaults.retry_after_cap,
                       help="pause the job when the server asks to wait longer than this")  # fmt: skip
    if settle:
        retry.add_argument("--settle-delay", type=float, default=defaults.settle_delay,
                           help="seconds before a second look at customers that seemed not enrolled")  # fmt: skip


def retry_config(args: argparse.Namespace) -> RetryConfig:
    """The retry policy the options of `add_network_options` ask for."""
    return RetryConfig(
        max_attempts=args.max_attempts,
        backoff_base=args.backoff_base,
        backoff_cap=args.backoff_cap,
        retry_after_cap=args.retry_after_cap,
        settle_delay=getattr(args, "settle_delay", RetryConfig().settle_delay),
    )


def parse_instant(text: str) -> int:
    """Epoch seconds from "1718000000", "2025-01-31" or "2025-01-31T10:00:00Z": read by
    `lib.api.models.instants` with a date typed without a zone taken as UTC (`Naive.AS_UTC`)."""
    try:
        return whole_seconds(read_instant(text, naive=Naive.AS_UTC))
    except ValueError:
        raise UsageError(
            f"--issue-event-date: '{text}' is not a date; use YYYY-MM-DD or epoch seconds"
        ) from None


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
        f"[{'#' * filled}{'.' * (width - filled)}] {share:6.1%} {counts.settled:,}/{counts.input_rows:,}"
        f"  ok {counts.succeeded:,}  failed {counts.failed:,}  skipped {counts.skipped:,}"
        f"  pending {counts.pending:,}  {speed:,.0f} rows/s"
    )
    return line + (f"  {pace.describe()}" if pace is not None else "")


def run_with_progress(runner: JobRunner, journal: Journal, job_id: str, *, quiet: bool) -> RunResult:
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["result"] = runner.run()
        except LeaseHeldError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="bulk-cli-runner", daemon=True)
    started = time.monotonic()
    progress = ProgressStream(quiet=quiet)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.25)
            progress.update(progress_line(journal.counts(job_id), started, time.monotonic(), runner.pace()))
    except KeyboardInterrupt:
        progress.interrupt("interrupted: pausing after the requests in flight...")
        runner.pause("interrupted")
        thread.join()
    progress.finish(progress_line(journal.counts(job_id), started, time.monotonic(), runner.pace()))
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["result"]  # type: ignore[return-value]


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "undo":
        return run_undo(args)
    try:
        return _main(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except LookupStopped as exc:
        print(f"error: {exc}; nothing was sent, run the same command again to continue", file=sys.stderr)
        return EXIT_UNSETTLED


def _main(args: argparse.Namespace) -> int:
    operation: Operation = args.operation
    if not args.dry_run and (args.journal is None or args.results is None):
        raise UsageError("--journal and --results are required (or use --dry-run)")
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
    session = open_session(args.file, operation, args.sheet, args.identifier)
    # The client retries the reads made before planning (badge, badge list, dry run) like any read on a
    # flaky cluster; the runner and the customer look-up send under their own policy and pace.
    with BadgesClient(base_url, auth, timeout=args.timeout, connect_timeout=args.connect_timeout) as client:
        try:
            check_session(session, client, args.badge)
        except BadgesError as exc:
            return _refused(exc)
        if args.dry_run:
            return print_dry_run(
                session, client, org=org, base_url=base_url, settings=settings, quiet=args.quiet
            )
        journal = Journal(args.journal)
        try:
            look_up(session, client, journal, org=org, base_url=base_url, quiet=args.quiet)
            try:
                jobs = session.plan(
                    journal, org=org, base_url=base_url, job_key=args.job_key, settings=settings
                )
            except PlanError as exc:
                raise UsageError(str(exc)) from None
            config = RunConfig(
                retry=retry_config(args),
                concurrency=args.concurrency,
            )
            outcomes = []
            for job, part in zip(jobs, session.parts, strict=True):
                counts = journal.counts(job.job_id)
                resumed = job.state is not JobState.PLANNED
                print(
                    f"{'resuming' if resumed else 'planned'} job {job.job_id} for badge {part.badge.describe()}: "
                    f"{counts.input_rows:,} rows ({counts.settled:,} settled, {counts.pending:,} pending)",
                    file=sys.stderr,
                )
                runner = JobRunner(journal, job.job_id, client, config=config)
                try:
                    outcome = run_with_progress(runner, journal, job.job_id, quiet=args.quiet)
                except LeaseHeldError as exc:
                    print(f"error: {exc}; try again when it has finished", file=sys.stderr)
                    return EXIT_BUSY
                outcomes.append(outcome)
                if outcome.state in (JobState.STOPPED, JobState.PAUSED):
                    break  # the next badges wait: credentials or the server need attention first
            return write_results(args, journal, session, jobs, outcomes)
        finally:
            journal.close()


def open_session(path: Path, operation: Operation, sheet: str | None, identifier: str | None) -> BulkSession:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    try:
        session = BulkSession(operation, data, path.name, sheet=sheet)
    except SessionError as exc:
        raise UsageError(str(exc)) from None
    if identifier:
        session.use_identifier(identifier)
    return session


def check_session(session: BulkSession, client: BadgesClient, badge: str | None) -> None:
    try:
        parts = session.check(client, badge=badge)
    except SessionError as exc:
        raise UsageError(str(exc)) from None
    for part in parts:
        validated = part.validated
        print(
            f"badge {part.badge.describe()}: {validated.source_rows:,} rows, {validated.valid_count:,} to send, "
            f"{validated.error_count:,} with errors, {validated.skipped_count:,} skipped",
            file=sys.stderr,
        )
    for note in parts[0].validated.notes if parts else ():
        print(f"note: {note}", file=sys.stderr)


def look_up(
    session: BulkSession, client, journal: Journal | None, *, org: str, base_url: str, quiet: bool
) -> None:
    """Customer ids for a file keyed by mobile, email...; a look-up that cannot finish exits 4."""
    if not session.by_identifier:
        return
    kind = session.mapping.identifier.value

    progress = ProgressStream(quiet=quiet)

    def show(p) -> None:
        progress.update(
            f"looking up {p.total:,} {kind} values: {p.done:,} done ({p.cached:,} known from the journal),"
            f" {p.found:,} found, {p.not_found:,} not customers"
        )

    try:
        last = session.resolve(client, journal, org=org, base_url=base_url, on_progress=show)
    except ResolveError as exc:
        progress.finish()
        raise LookupStopped(str(exc)) from None
    progress.finish()
    if last is not None:
        missing = sum(len(p.validated.invalid) for p in session.parts)
        print(f"{kind}: {last.total:,} looked up; rows whose customer was not found fail with 1026 "
              f"({missing:,} rows refused before sending in all)", file=sys.stderr)  # fmt: skip


class LookupStopped(Exception):
    """The customer look-up could not finish; nothing was planned."""


def print_dry_run(
    session: BulkSession, client, *, org: str, base_url: str, settings: PlanSettings, quiet: bool
) -> int:
    """--dry-run: checks, look-ups and the server's predicted answers per badge; nothing is written."""
    try:
        look_up(session, client, None, org=org, base_url=base_url, quiet=quiet)
    except LookupStopped as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNSETTLED
    reports = session.dry_run(client, default_event_date=settings.issue_event_date)
    for part, report in reports:
        print(f"\n== {part.badge.describe()} ==")
        for label, value in report.summary():
            print(f"{label}: {value}")
        for check in report.checks:
            print(f"[{check.status.value}] {check.name}: {check.message}")
    print("\ndry run: nothing was sent and nothing was written")
    return EXIT_OK if all(r.can_run for _, r in reports) else EXIT_USAGE


def write_results(args, journal: Journal, session: BulkSession, jobs: list, outcomes: list[RunResult]) -> int:
    jobs = [journal.job(j.job_id) for j in jobs]
    names = {p.badge.badge_id: p.badge.name for p in session.parts} if session.badge_column else None
    table = results.run_table(journal, jobs, names, no_badge_rows=session.no_badge_rows)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_bytes(export.csv_bytes(table))
    codes = [_report(outcome, args.results) for outcome in outcomes]
    code = max(codes) if codes else EXIT_OK
    if len(outcomes) < len(jobs):
        code = max(code, EXIT_UNSETTLED)
    if args.summary_json is not None:
        worst = max(outcomes, key=lambda o: _report_rank(o), default=None)
        facts = results.run_summary(
            table,
            jobs=jobs,
            state=worst.state.value if worst else "PLANNED",
            reason=worst.reason if worst else None,
        )
        args.summary_json.parent.mkdir(parents=True, exist_ok=True)
        args.summary_json.write_text(json.dumps({**facts, "exitCode": code}, indent=2) + "\n")
    return code


def _report_rank(outcome: RunResult) -> int:
    order = [JobState.COMPLETED, JobState.CANCELLED, JobState.PAUSED, JobState.STOPPED]
    return order.index(outcome.state) if outcome.state in order else 0


def _refused(exc: BadgesError) -> int:
    """The server refused a read needed before planning (credentials, permissions, outage)."""
    print(f"error: {exc}", file=sys.stderr)
    from lib.api.errors import AuthenticationError, PermissionDeniedError

    return EXIT_AUTH if isinstance(exc, AuthenticationError | PermissionDeniedError) else EXIT_UNSETTLED


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
