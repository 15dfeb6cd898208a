"""The central office HTTP API (FastAPI). Workers hold no state beyond keys and a database pool,
so any number of them can run behind one another or side by side."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy.orm import sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from app.sync.batch import BatchError
from app.sync.crypto import ServerKeys
from app.sync.protocol import (
    BATCHES_PATH,
    HEADER_CONTENT_SHA256,
    LIST_PATH,
    PING_PATH,
    STATUS_CHALLENGE_PATH,
    STATUS_PATH,
)

from .health import HEALTH_PATH, METRICS_PATH, database_ok, metrics_text
from .limits import BodyRefused, UploadLimits, read_batch_body, read_small_body
from .models import create_server_engine
from .office_list import answer_list_request
from .service import ingest_batch, upload_refusal
from .statuses import deliver_statuses, issue_challenge

MAX_STATUS_REQUEST_BYTES = 256 * 1024

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


def _damaged(request: Request, body: bytes) -> bool:
    """The sender's digest of the body is there and does not match: bytes changed on the way."""
    declared = request.headers.get(HEADER_CONTENT_SHA256)
    return declared is not None and declared.lower() != hashlib.sha256(body).hexdigest()


def _damaged_answer() -> JSONResponse:
    return JSONResponse(
        status_code=400,
        content={"error": "damaged", "message": "the body was damaged in transit; send it again"},
    )


def create_app(
    database_url: str,
    server_keys: ServerKeys,
    limits: UploadLimits | None = None,
    migrate: bool = True,
) -> FastAPI:
    """The API over ``database_url`` (``sqlite:///file.db`` or ``postgresql://...``).

    Status requests answer a challenge timed on the office's clock, so a laptop's wrong clock does
    not matter. ``limits`` bound what an upload may cost (see :mod:`app.server.limits`).
    """
    limits = limits or UploadLimits()
    upload_slots = asyncio.Semaphore(limits.upload_slots)
    engine = create_server_engine(database_url, migrate=migrate)
    sessions = sessionmaker(engine, expire_on_commit=False)
    app = FastAPI(title="VSS Outreach central office", docs_url=None, redoc_url=None)
    app.state.engine = engine
    app.state.sessions = sessions

    @app.get(HEALTH_PATH)
    def health() -> JSONResponse:
        ok = database_ok(sessions)
        return JSONResponse(
            status_code=200 if ok else 503,
            content={"ok": ok, "database": "ok" if ok else "unreachable"},
        )

    @app.get(METRICS_PATH)
    def metrics() -> PlainTextResponse:
        return PlainTextResponse(metrics_text(sessions), media_type="text/plain; version=0.0.4")

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
            if _damaged(request, data):
                return _damaged_answer()
            try:
                receipt = await run_in_threadpool(ingest_batch, sessions, server_keys, data)
            except BatchError as error:
                return _refusal(error)
            finally:
                del data
        return JSONResponse(content=receipt)

    @app.get(STATUS_CHALLENGE_PATH)
    def get_challenge() -> JSONResponse:
        return JSONResponse(content=issue_challenge(server_keys))

    async def signed_json_answer(
        request: Request, answer: Callable[..., dict[str, Any]], what: str
    ) -> JSONResponse:
        """Read a small signed JSON request and answer it with ``answer`` (off the event loop)."""
        try:
            body = await read_small_body(request, MAX_STATUS_REQUEST_BYTES)
            if _damaged(request, body):
                return _damaged_answer()
            document = json.loads(body)
        except BodyRefused as refused:
            return JSONResponse(
                status_code=refused.status,
                content={"error": refused.code, "message": refused.message},
            )
        except (ValueError, UnicodeDecodeError, ClientDisconnect):
            return _refusal(BatchError("corrupt", f"unreadable {what} request"))
        try:
            content = await run_in_threadpool(answer, sessions, server_keys, document)
        except BatchError as error:
            return _refusal(error)
        return JSONResponse(content=content)

    @app.post(STATUS_PATH)
    async def post_status(request: Request) -> JSONResponse:
        return await signed_json_answer(request, deliver_statuses, "status")

    @app.post(LIST_PATH)
    async def post_list(request: Request) -> JSONResponse:
        """The office's list for the provinces the laptop serves (sealed to it), or unchanged."""
        return await signed_json_answer(request, answer_list_request, "list")

    return app
