"""Batch ingestion jobs over folders under the ingest root."""

from __future__ import annotations

import os
import time

from fastapi import APIRouter, HTTPException, status

from app.api.deps import ContainerDep, DataWritable, JobsDep, PrincipalDep, RunnerDep, writable
from app.api.folder_access import allowed_folders, resolve_job_folder
from app.api.job_store import ACTIVE, Job
from app.api.schemas import JobOut, JobRequest

router = APIRouter(prefix="/jobs", tags=["jobs"])


def _visible(job: Job | None, principal, job_id: str) -> Job:
    if job is None or not (
        principal.can_read(job.collection) or principal.can_write(job.collection)
    ):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"job {job_id!r} not found")
    return job


def _allowed(container, principal, collection: str) -> list[str]:
    root = container.settings.ingest_root
    if root is None:
        return []
    return [str(p) for p in allowed_folders(root, principal, collection)]


def _changeable(job: Job, principal) -> None:
    if not principal.can_write(job.collection):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"this key may not change collection {job.collection!r}"
        )


@router.post(
    "",
    response_model=JobOut,
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[DataWritable],
)
def start_job(
    body: JobRequest,
    container: ContainerDep,
    principal: PrincipalDep,
    jobs: JobsDep,
    runner: RunnerDep,
) -> JobOut:
    writable(container, principal, body.collection, create=True)
    if body.ray_address is not None and not principal.admin:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "only an admin key may choose a Ray cluster (ray_address)"
        )
    allowed = _allowed(container, principal, body.collection)
    resolve_job_folder(container.settings.ingest_root, body.path, allowed)  # refuse now
    engine = body.engine or container.settings.ingest_engine
    job = jobs.create(
        body.collection, body.path, body.prune, principal.name, allowed, engine, body.ray_address
    )
    runner.submit(job)
    return job.to_out()


@router.get("", response_model=list[JobOut])
def list_jobs(principal: PrincipalDep, jobs: JobsDep) -> list[JobOut]:
    return [
        j.to_out()
        for j in jobs.list()
        if principal.can_read(j.collection) or principal.can_write(j.collection)
    ]


@router.get("/{job_id}", response_model=JobOut)
def get_job(job_id: str, principal: PrincipalDep, jobs: JobsDep) -> JobOut:
    return _visible(jobs.get(job_id), principal, job_id).to_out()


@router.delete(
    "/{job_id}",
    response_model=JobOut,
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[DataWritable],
)
def cancel_job(job_id: str, principal: PrincipalDep, jobs: JobsDep) -> JobOut:
    """Ask a queued or running job to stop; it stops between batches, index consistent."""
    job = _visible(jobs.get(job_id), principal, job_id)
    _changeable(job, principal)
    if job.status not in ACTIVE:
        raise HTTPException(status.HTTP_409_CONFLICT, f"job {job_id!r} is already {job.status}")
    jobs.request_cancel(job_id)
    return jobs.get(job_id).to_out()


@router.post(
    "/{job_id}/resume",
    response_model=JobOut,
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[DataWritable],
)
def resume_job(
    job_id: str, container: ContainerDep, principal: PrincipalDep, jobs: JobsDep, runner: RunnerDep
) -> JobOut:
    """Run an interrupted, cancelled or failed job again: finished files are skipped."""
    job = _visible(jobs.get(job_id), principal, job_id)
    _changeable(job, principal)
    if job.status in ACTIVE or job.status == "succeeded":
        raise HTTPException(status.HTTP_409_CONFLICT, f"job {job_id!r} is {job.status}")
    allowed = _allowed(container, principal, job.collection)
    resolve_job_folder(container.settings.ingest_root, job.path, allowed)
    fresh = Job(
        job.id, job.collection, job.path, job.prune, job.owner, pid=os.getpid(), allowed=allowed
    )
    fresh.created_at = job.created_at or time.time()
    jobs.replace(fresh)
    runner.submit(fresh)
    return fresh.to_out()
