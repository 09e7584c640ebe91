"""Redis key names shared by the seed, the workers and the writer (one place)."""

ITEMS = "raqib:items"                   # extracted articles and skips, JSON, LPUSH → BLMOVE
WRITING = "raqib:items:writing"          # the item the writer is storing (moved back after a crash)
SEEN = "raqib:seen"                      # request fingerprints: the seen-URL filter of every spider
QUEUE = "raqib:%(spider)s:requests"      # scrapy-redis queue key, per source spider
START_URLS = "raqib:%(name)s:start_urls" # entry points the seed pushes, per source spider
INFLIGHT = "raqib:inflight:"             # + worker id: hash of requests taken, not yet finished
ALIVE = "raqib:alive:"                   # + worker id: heartbeat key with a short expiry


def start_urls_key(spider_name: str) -> str:
    return START_URLS % {"name": spider_name}
