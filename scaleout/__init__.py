"""Scale-out mode: several crawl workers, on one machine or many, share one crawl
through Redis (scrapy-redis), and one store writer keeps SQLite as the store.

    seed (scaleout/run.py)   entry-point URLs → Redis lists ``raqib:<source>:<kind>:start_urls``
    workers (scaleout/run.py, spiders.py, inflight.py)
                             Scrapy with scrapy-redis' scheduler: the request queue of each
                             source spider and one seen-URL filter live in Redis; pages are
                             extracted in the worker (pipelines.py) and pushed to ``raqib:items``
    writer (scaleout/writer.py)
                             pops ``raqib:items`` and runs dedupe → filter → store into SQLite

A request a worker has taken off the queue is kept in its in-flight hash until the
page's items are pushed; a worker that stops sending heartbeats has its in-flight
requests put back on the queue by the others (inflight.py), so killing a worker loses
nothing.  See README "Scaling out".
"""
