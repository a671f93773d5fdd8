# One image for the API and both kinds of workers (docker-compose.yml picks the command).
# GPU hosts: the default TORCH_INDEX_URL installs CUDA wheels; CPU-only images can pass
# --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
FROM python:3.11-slim

ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cu124
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HOME=/models

WORKDIR /app
RUN pip install "torch>=2.4,<2.15" --index-url "${TORCH_INDEX_URL}"

COPY pyproject.toml README.md ./
COPY factforge ./factforge
COPY agents ./agents
COPY plugins ./plugins
COPY knowledge ./knowledge
COPY workers ./workers
RUN pip install . && useradd --create-home factforge && mkdir -p /data /models \
    && chown factforge /data /models

USER factforge
EXPOSE 8000
CMD ["factforge", "serve"]
