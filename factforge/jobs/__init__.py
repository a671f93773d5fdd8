"""The Job API behind HTTP and CLI: embedded (thread pool) or distributed (Celery + Redis)."""
