"""The Celery app of ``factforge worker`` (``celery -A factforge.jobs.worker_app worker``),
configured from :class:`factforge.settings.Settings` like every other process."""

from __future__ import annotations

from factforge.settings import Settings
from factforge.wiring import worker_config
from workers.celery_app import create_app

app = create_app(worker_config(Settings()))
