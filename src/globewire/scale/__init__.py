"""Scale-out: a Celery worker fleet (RabbitMQ or Redis broker) over the PostgreSQL store.

``globewire worker`` runs the pipeline stages as tasks (fetch, extract, embed, cluster, translate),
``globewire scheduler`` enqueues crawl rounds, ``globewire backfill`` spreads WARC files over the workers.
The single-process default (``globewire run``) needs none of this.
"""
