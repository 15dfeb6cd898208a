"""The office app for ``uvicorn --workers N`` (or gunicorn with uvicorn workers): each worker
builds it from the environment, since workers are separate processes.

    VSS_SERVER_DB=postgresql://... VSS_SERVER_KEYS=/etc/vss/server-keys \\
        uvicorn --factory app.server.asgi:create_app_from_env --workers 4

The schema is brought up to date once, by ``vss-outreach-server serve`` or ``migrate``, before the
workers start; a worker never migrates.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from app.sync.crypto import ServerKeys

from .app import create_app

DB_ENV = "VSS_SERVER_DB"
KEYS_ENV = "VSS_SERVER_KEYS"


def create_app_from_env() -> FastAPI:
    return create_app(
        os.environ[DB_ENV], ServerKeys.load(Path(os.environ[KEYS_ENV])), migrate=False
    )
