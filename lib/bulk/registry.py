"""The process-wide set of running bulk jobs, for the console.

Streamlit reruns page scripts on every interaction, so jobs run in worker threads owned by this
registry, never in a script; a page only starts, attaches to, pauses, resumes or cancels a job by
its id and polls the journal for progress. One registry per journal file per process
(``registry_for(path)``). Another process running the same job is kept out by the journal's lease:
its runner ends at once with reason "lease-held" and the page shows read-only progress.

On process start, ``resume_unfinished`` picks up every job the journal still records as RUNNING
(the process died while it ran), for the connections the console can rebuild a client for.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from lib.bulk.journal import Job, JobState, Journal
from lib.bulk.runner import JobRunner, RunConfig


class JobRegistry:
    """One runner per job id in this process."""

    def __init__(self, journal: Journal, *, config: RunConfig | None = None) -> None:
        self.journal = journal
        self.config = config
        self._runners: dict[str, JobRunner] = {}
        self._lock = threading.Lock()

    def start(self, job_id: str, client) -> JobRunner:
        """Run (or resume) the job in the background; returns the already running runner if any."""
        with self._lock:
            runner = self._runners.get(job_id)
            if runner is None or not runner.running:
                runner = JobRunner(self.journal, job_id, client, config=self.config)
                runner.start()
                self._runners[job_id] = runner
            return runner

    def runner(self, job_id: str) -> JobRunner | None:
        """The live runner of this job in this process, or None."""
        with self._lock:
            runner = self._runners.get(job_id)
        return runner if runner is not None and runner.running else None

    def wait(self, job_id: str, timeout: float | None = None):
        """Block until this process's runner of the job ends (None if it never ran here)."""
        with self._lock:
            runner = self._runners.get(job_id)
        return runner.wait(timeout) if runner is not None else None

    def pause(self, job_id: str) -> bool:
        runner = self.runner(job_id)
        if runner is None:
            return False
        runner.pause()
        return True

    def cancel(self, job_id: str, client=None) -> bool:
        """Cancel a running job; a paused one is cancelled by a short run that reconciles what is
        unclear (needs ``client``) and skips what was never sent."""
        runner = self.runner(job_id)
        if runner is None:
            job = self.journal.job(job_id)
            if job is None or job.state.finished or client is None:
                return False
            runner = self.start(job_id, client)
        runner.cancel()
        return True

    def running_elsewhere(self, job_id: str) -> bool:
        """Another process (or tab of another console process) holds the job's lease."""
        return self.runner(job_id) is None and self.journal.lease_holder(job_id) is not None

    def resume_unfinished(self, client_for: Callable[[Job], object | None]) -> list[str]:
        """Restart jobs a dead process left RUNNING; ``client_for(job)`` returns a client for the
        job's org and cluster, or None when this process has no credentials for it."""
        started = []
        for job in self.journal.jobs(states=[JobState.RUNNING]):
            if self.runner(job.job_id) is not None or self.journal.lease_holder(job.job_id) is not None:
                continue
            client = client_for(job)
            if client is not None:
                self.start(job.job_id, client)
                started.append(job.job_id)
        return started


_registries: dict[str, JobRegistry] = {}
_registries_lock = threading.Lock()


def registry_for(
    journal_path: str | Path,
    *,
    config: RunConfig | None = None,
    resume_with: Callable[[Job], object | None] | None = None,
) -> JobRegistry:
    """The registry of this journal file in this process (created on first use).

    On creation, jobs a dead process left RUNNING are resumed for every job ``resume_with(job)``
    returns a client for (the console passes its embedded sandbox's client, for example).
    """
    key = str(Path(journal_path).resolve())
    with _registries_lock:
        registry = _registries.get(key)
        created = registry is None
        if registry is None:
            registry = _registries[key] = JobRegistry(Journal(key), config=config)
    if created and resume_with is not None:
        registry.resume_unfinished(resume_with)
    return registry
