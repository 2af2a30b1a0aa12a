# callqa in a container: the locked environment (uv.lock), the project, and a prepared dbt manifest.
# Build:   docker build -t callqa .
# Run:     docker compose up   (Dagster webserver + daemon, and the dashboard; see compose.yaml)
# One-off: docker run --rm -v "$PWD/data:/app/data" -e CALLQA_TIMEZONE=America/New_York callqa callqa run
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PATH=/app/.venv/bin:$PATH \
    DAGSTER_HOME=/app/dagster_home \
    CALLQA_LANDING_DIR=/app/data/landing \
    CALLQA_WAREHOUSE=/app/data/warehouse/callqa.duckdb

# Node.js builds the dashboard (Observable Framework) from the serving copy.
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/* \
 && pip install --no-cache-dir uv

WORKDIR /app
# Dependencies first (a layer that changes only with the lockfile), exactly the locked versions.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN uv sync --frozen --no-dev \
 && (cd notebooks/dashboard && npm install --no-save --no-audit --no-fund) \
 && python -c "from dagster_project.defs.transform.project import prepare_dbt_project; prepare_dbt_project()"

# Runs as an unprivileged user; the data volume holds the warehouse, its serving copy and the generated PII key.
RUN useradd --create-home --uid 10001 callqa && mkdir -p /app/data && chown -R callqa /app/data /app/dagster_home /app/dbt
USER callqa
VOLUME ["/app/data"]
EXPOSE 3000 8000
CMD ["dagster", "dev", "-m", "dagster_project.definitions", "-h", "0.0.0.0", "-p", "3000"]
