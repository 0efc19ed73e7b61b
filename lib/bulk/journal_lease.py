"""The job lease: which process may run a job. A lease expires, and the lease of a process that has
died on this host is taken over at once."""

from __future__ import annotations

import os
import socket


def lease_owner_id() -> str:
    """host:pid:random — a dead process on this host can be recognised and its lease taken over."""
    return f"{socket.gethostname()}:{os.getpid()}:{os.urandom(4).hex()}"


def owner_is_dead(owner: str) -> bool:
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class LeaseStore:
    """The lease operations of the journal (mixed into `Journal`, which provides `transaction`,
    `job` and `now`)."""

    def acquire_lease(self, job_id: str, owner: str, ttl: float) -> bool:
        """Take the job for ``owner`` unless another live owner holds an unexpired lease."""
        now = self.now()
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT lease_owner, lease_expires_at FROM jobs WHERE job_id = ?", (job_id,)
            ).fetchone()
            if row is None:
                return False
            holder, expires = row["lease_owner"], row["lease_expires_at"]
            free = holder is None or holder == owner or (expires or 0) < now or owner_is_dead(holder)
            if not free:
                return False
            conn.execute(
                "UPDATE jobs SET lease_owner = ?, lease_expires_at = ? WHERE job_id = ?",
                (owner, now + ttl, job_id),
            )
            return True

    def renew_lease(self, job_id: str, owner: str, ttl: float) -> bool:
        with self.transaction() as conn:
            cursor = conn.execute(
                "UPDATE jobs SET lease_expires_at = ? WHERE job_id = ? AND lease_owner = ?",
                (self.now() + ttl, job_id, owner),
            )
            return cursor.rowcount == 1

    def release_lease(self, job_id: str, owner: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE jobs SET lease_owner = NULL, lease_expires_at = NULL WHERE job_id = ? AND lease_owner = ?",
                (job_id, owner),
            )

    def lease_holder(self, job_id: str) -> str | None:
        """The owner of a live lease on the job, or None."""
        job = self.job(job_id)
        if job is None or job.lease_owner is None:
            return None
        if (job.lease_expires_at or 0) < self.now() or owner_is_dead(job.lease_owner):
            return None
        return job.lease_owner
