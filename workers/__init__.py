"""Celery workers: the jobs and inference queues (distributed mode)."""
