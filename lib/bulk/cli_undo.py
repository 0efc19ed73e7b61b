"""``python -m lib.bulk undo``: revoke exactly what an enrol or import job created (`lib.bulk.undo`).

    python -m lib.bulk undo --journal jobs.sqlite --results undo.csv --base-url eu --user till.user

Without ``--job`` the journal's latest run is undone: every enrol or import job planned from the last
file (one job per badge, sharing a run id), or the latest such job when it has no run id. Before
anything is sent the command prints, per job, what it will revoke and what it leaves alone::

    will revoke 812 enrolment(s) made by job job-... in badge 6b02...; 188 customer(s) enrolled before
    the job are left alone

Confirmation: on a terminal the command then asks ``revoke them? [y/N]`` unless ``--yes`` is given;
anything but "y" revokes nothing (exit 1). A script or scheduler (standard input not a terminal) has
written the command on purpose, as the command lines of enrol and import: it goes ahead after printing
what it revokes.

The undo must run against the same cluster and org (``--base-url`` and the user or client key) as the
job it undoes. Running the same command again resumes an interrupted undo and never revokes anything
twice; once the undo has finished it sends nothing (``--job-key`` plans a further undo of the same job,
which revokes only what no earlier undo of it revoked, e.g. rows refused the first time).

The results file has one line per row the undo covers (the rows the job created), with the revoked
issuedId / earnedBadgeId; ``--summary-json`` as for enrol and import, plus ``undoes`` (the job ids
undone). Exit codes as for enrol and import (0, 2, 3, 4, 5), plus 1: declined at the prompt.

Credentials, progress, reports and exit codes are those of `lib.bulk.cli` (imported when called, so
each module can import the other).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from lib.api.client import BadgesClient
from lib.api.clusters import resolve_base_url
from lib.api.errors import BadgesError
from lib.bulk import export, results
from lib.bulk.journal import Job, JobState, Journal
from lib.bulk.runner import JobRunner, LeaseHeldError, RunConfig, RunResult
from lib.bulk.undo import UndoError, UndoPreview, latest_run, plan_undo, undo_preview

EXIT_DECLINED = 1


def _cli():
    from lib.bulk import cli

    return cli


def add_undo_parser(commands) -> argparse.ArgumentParser:
    """The ``undo`` subcommand on the CLI's subparsers (``commands = parser.add_subparsers(...)``)."""
    cli = _cli()
    text = "revoke exactly the enrolments or earns an enrol or import job created (default: the latest run)"
    sub = commands.add_parser("undo", help=text, description=text)
    sub.set_defaults(command="undo")
    sub.add_argument("--journal", required=True, type=Path, help="the journal of the job to undo")
    sub.add_argument("--results", required=True, type=Path, help="per-row results CSV of the undo")
    sub.add_argument("--base-url", required=True, help="cluster of the job to undo (preset or https URL)")
    sub.add_argument("--auth", choices=["basic", "oauth"], default="basic",
                     help=f"basic: --user and a password; oauth: {cli.KEY_ENV} and {cli.SECRET_ENV}")  # fmt: skip
    sub.add_argument("--user", help="till username (Basic auth), the one the job ran as")
    sub.add_argument("--password", help=f"till password (prefer the {cli.PASSWORD_ENV} environment variable)")
    sub.add_argument("--job", help="the job to undo (default: every job of the journal's latest run)")
    sub.add_argument("--job-key", help="name of a further undo of the same job (default: one undo per job)")
    sub.add_argument("--yes", action="store_true",
                     help="revoke without asking at a terminal (a script is never asked)")  # fmt: skip
    sub.add_argument("--summary-json", type=Path, help="also write a JSON summary for schedulers")
    _cli().add_network_options(sub, settle=False)
    sub.add_argument("--quiet", action="store_true", help="no progress bar")
    return sub


def run_undo(args: argparse.Namespace) -> int:
    """Run ``undo`` from parsed arguments; returns the exit code (usage errors printed, code 2)."""
    cli = _cli()
    try:
        return _undo(args, cli)
    except (cli.UsageError, UndoError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return cli.EXIT_USAGE


def _undo(args: argparse.Namespace, cli) -> int:
    if not args.journal.is_file():
        raise cli.UsageError(f"no journal at {args.journal}")
    try:
        base_url = resolve_base_url(args.base_url)
    except BadgesError as exc:
        raise cli.UsageError(str(exc)) from None
    journal = Journal(args.journal)
    try:
        jobs = _jobs_to_undo(journal, args.job)
        previews = [undo_preview(journal, job.job_id, job_key=args.job_key) for job in jobs]
        for preview in previews:
            print(preview.describe(), file=sys.stderr)
        refused = [p.refusal for p in previews if p.refusal is not None]
        if refused:
            raise UndoError("nothing was revoked: " + "; ".join(refused))
        for job in jobs:
            if job.base_url != base_url:
                raise cli.UsageError(
                    f"job {job.job_id} ran against {job.base_url}; undo it with that --base-url"
                )
        if all(p.finished for p in previews):  # nothing left to send: no prompt, no credentials
            done = [p.undo_job for p in previews]
            outcomes = [RunResult(j.job_id, j.state, j.reason, journal.counts(j.job_id)) for j in done]
            return _write_results(args, cli, journal, jobs, done, outcomes)
        declined = _confirm(args, cli, previews)
        if declined is not None:
            return declined
        auth, org = cli.credentials_from(args)
        for job in jobs:
            if job.org != org:
                raise cli.UsageError(f"job {job.job_id} ran as {job.org}; undo it with the same credentials")
        undo_jobs = [plan_undo(journal, job.job_id, job_key=args.job_key) for job in jobs]
        outcomes = _run(args, cli, journal, base_url, auth, undo_jobs)
        if isinstance(outcomes, int):
            return outcomes
        return _write_results(args, cli, journal, jobs, undo_jobs, outcomes)
    finally:
        journal.close()


def _jobs_to_undo(journal: Journal, job_id: str | None) -> list[Job]:
    if job_id is None:
        return latest_run(journal)
    job = journal.job(job_id)
    if job is None:
        raise UndoError(f"no job {job_id} in this journal")
    return [job]


def _confirm(args: argparse.Namespace, cli, previews: list[UndoPreview]) -> int | None:
    """None to go ahead; an exit code when the person at the terminal says no."""
    if args.yes or not sys.stdin.isatty():
        return None  # asked for, or run by a script or scheduler, which has already printed what it revokes
    things = sum(p.to_revoke for p in previews)
    try:
        answer = input(f"revoke {things:,}? [y/N] ")
    except EOFError:
        answer = ""
    if answer.strip().lower() in ("y", "yes"):
        return None
    print("nothing was revoked", file=sys.stderr)
    return EXIT_DECLINED


def _run(args, cli, journal: Journal, base_url: str, auth, undo_jobs: list[Job]) -> list[RunResult] | int:
    config = RunConfig(
        retry=cli.retry_config(args)
    )
    outcomes: list[RunResult] = []
    with BadgesClient(
        base_url, auth, timeout=args.timeout, connect_timeout=args.connect_timeout
    ) as client:
        for job in undo_jobs:
            counts = journal.counts(job.job_id)
            verb = "planned" if job.state is JobState.PLANNED else "resuming"
            print(f"{verb} undo job {job.job_id} of job {job.parent_job_id}: {counts.input_rows:,} rows "
                  f"({counts.settled:,} settled, {counts.pending:,} pending)", file=sys.stderr)  # fmt: skip
            runner = JobRunner(journal, job.job_id, client, config=config)
            try:
                outcome = cli.run_with_progress(runner, journal, job.job_id, quiet=args.quiet)
            except LeaseHeldError as exc:
                print(f"error: {exc}; try again when it has finished", file=sys.stderr)
                return cli.EXIT_BUSY
            outcomes.append(outcome)
            if outcome.state in (JobState.STOPPED, JobState.PAUSED):
                break  # the next jobs wait: credentials or the server need attention first
    return outcomes


def _write_results(args, cli, journal: Journal, jobs: list[Job], undo_jobs: list[Job],
                   outcomes: list[RunResult]) -> int:  # fmt: skip
    undo_jobs = [journal.job(j.job_id) for j in undo_jobs]
    table = results.run_table(journal, undo_jobs)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_bytes(export.csv_bytes(table))
    codes = [cli._report(outcome, args.results) for outcome in outcomes]
    code = max(codes) if codes else cli.EXIT_OK
    if len(outcomes) < len(undo_jobs):
        code = max(code, cli.EXIT_UNSETTLED)
    if args.summary_json is not None:
        worst = max(outcomes, key=cli._report_rank, default=None)
        facts = results.run_summary(
            table,
            jobs=undo_jobs,
            state=worst.state.value if worst else undo_jobs[0].state.value,
            reason=worst.reason if worst else None,
        )
        facts["undoes"] = [j.job_id for j in jobs]
        args.summary_json.parent.mkdir(parents=True, exist_ok=True)
        args.summary_json.write_text(json.dumps({**facts, "exitCode": code}, indent=2) + "\n")
    return code


def main(argv: list[str] | None = None) -> int:
    """``python -m lib.bulk.cli_undo undo ...``: the subcommand on its own parser."""
    parser = argparse.ArgumentParser(prog="python -m lib.bulk", description="Undo a bulk job.")
    add_undo_parser(parser.add_subparsers(dest="command", required=True))
    return run_undo(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
