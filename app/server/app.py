"""The central office HTTP API (FastAPI). Workers hold no state beyond keys and a database pool,
so any number of them can run behind one another or side by side."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from app.sync.batch import BatchError
from app.sync.crypto import ServerKeys
from app.sync.protocol import (
    BATCHES_PATH,
    HEADER_DEVICE,
    HEADER_SIGNATURE,
    HEADER_TIME,
    PING_PATH,
    STATUS_PATH,
)

from .limits import BodyRefused, UploadLimits, read_batch_body
from .models import create_server_engine
from .service import ingest_batch, status_updates, upload_refusal

ERROR_STATUS = {
    "corrupt": 400,
    "truncated": 400,
    "bad_signature": 403,
    "unknown_device": 403,
    "revoked_device": 403,
    "replay": 409,
    "quota": 429,
}


def _refusal(error: BatchError) -> JSONResponse:
    return JSONResponse(
        status_code=ERROR_STATUS.get(error.code, 400),
        content={"error": error.code, "message": error.message},
    )


def create_app(
    database_url: str,
    server_keys: ServerKeys,
    max_clock_skew_seconds: int = 86400,
    limits: UploadLimits | None = None,
) -> FastAPI:
    """The API over ``database_url`` (``sqlite:///file.db`` or ``postgresql://...``).

    ``max_clock_skew_seconds`` bounds how far a device clock may be off for signed status requests;
    field laptops often have wrong clocks, so the default is a day. ``limits`` bound what an upload
    may cost (see :mod:`app.server.limits`).
    """
    limits = limits or UploadLimits()
    upload_slots = asyncio.Semaphore(limits.upload_slots)
    engine = create_server_engine(database_url)
    sessions = sessionmaker(engine, expire_on_commit=False)
    app = FastAPI(title="VSS Outreach central office", docs_url=None, redoc_url=None)
    app.state.engine = engine
    app.state.sessions = sessions

    @app.get(PING_PATH)
    def ping() -> dict[str, Any]:
        return {"ok": True, "service": "vss-outreach-server"}

    async def may_upload(device_id: str) -> BatchError | None:
        return await run_in_threadpool(
            upload_refusal, sessions, device_id, limits.device_daily_bytes
        )

    @app.post(BATCHES_PATH)
    async def post_batch(request: Request) -> JSONResponse:
        async with upload_slots:
            try:
                data = await read_batch_body(request, limits, may_upload)
            except BodyRefused as refused:
                return JSONResponse(
                    status_code=refused.status,
                    content={"error": refused.code, "message": refused.message},
                )
            except BatchError as error:
                return _refusal(error)
            except ClientDisconnect:  # the upload was cut: nothing to store, nobody to answer
                return JSONResponse(status_code=400, content={"error": "truncated"})
            try:
                receipt = await run_in_threadpool(ingest_batch, sessions, server_keys, data)
            except BatchError as error:
                return _refusal(error)
            finally:
                del data
        return JSONResponse(content=receipt)

    @app.get(STATUS_PATH)
    def get_status(request: Request, since: int = Query(0, ge=0)) -> JSONResponse:
        device_id = request.headers.get(HEADER_DEVICE, "")
        signature = request.headers.get(HEADER_SIGNATURE, "")
        try:
            timestamp = int(request.headers.get(HEADER_TIME, ""))
        except ValueError:
            return _refusal(BatchError("bad_signature", "missing request time"))
        try:
            document = status_updates(
                sessions,
                server_keys,
                device_id,
                since,
                timestamp,
                signature,
                max_clock_skew_seconds,
            )
        except BatchError as error:
            return _refusal(error)
        return JSONResponse(content=document)

    return app
