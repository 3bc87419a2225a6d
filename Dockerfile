# globewire: one image for web, scheduler and workers (the command picks the role).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential libxml2-dev libxslt1-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install ".[scale]" prometheus_client \
 && useradd --create-home --uid 10001 globewire \
 && mkdir -p /data && chown globewire /data
USER globewire
ENV GLOBEWIRE_DATA_DIR=/data
EXPOSE 8000 9464
CMD ["globewire", "run"]
