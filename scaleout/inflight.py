"""scrapy-redis' scheduler, plus: a request taken off the queue is not lost with its worker.

scrapy-redis pops a request from the shared queue and forgets it: if the worker is
killed while fetching it, the request is gone, and because its URL is already in the
seen-URL filter no one fetches it again — an article lost.  Here the pop also files
the request in the worker's in-flight hash (one Lua script, so nothing falls between
the two), and the request leaves the hash only when its response or failure has been
fully handled (``done``: its items pushed, its follow-up requests queued).  Each worker
keeps a heartbeat key alive; any worker that finds the in-flight hash of a worker whose
heartbeat expired puts those requests back on their queues.
"""

from __future__ import annotations

import logging

from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from scaleout import keys

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 2.0
HEARTBEAT_TTL = 8                     # seconds without a heartbeat before a worker counts as dead

# Pop the oldest request (FIFO: LPUSH + RPOP) and file it as in flight, atomically.
_POP = """
local v = redis.call('RPOP', KEYS[1])
if not v then return false end
local field = KEYS[1] .. '|' .. redis.sha1hex(v)
redis.call('HSET', KEYS[2], field, v)
return {field, v}
"""
# Move a dead worker's in-flight requests back to the heads of their queues.
_REQUEUE = """
local n = 0
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local queue = string.match(all[i], '^(.*)|[0-9a-f]+$')
  redis.call('RPUSH', queue, all[i + 1])
  n = n + 1
end
redis.call('DEL', KEYS[1])
return n
"""


class InflightScheduler(Scheduler):
    """One per source spider, as scrapy-redis' scheduler is; the worker id comes from
    the setting ``RAQIB_WORKER_ID``."""

    @classmethod
    def from_crawler(cls, crawler):
        instance = super().from_crawler(crawler)
        instance.worker_id = crawler.settings.get("RAQIB_WORKER_ID")
        return instance

    def open(self, spider):
        super().open(spider)
        self.inflight = keys.INFLIGHT + self.worker_id
        self._pop = self.server.register_script(_POP)
        self._requeue = self.server.register_script(_REQUEUE)
        spider.inflight_done = self.done
        spider.inflight_forget = self.forget
        self._beat = task.LoopingCall(self.heartbeat)
        self._beat.start(HEARTBEAT_SECONDS, now=True)

    def close(self, reason):
        if getattr(self, "_beat", None) is not None and self._beat.running:
            self._beat.stop()
        return super().close(reason)

    def heartbeat(self) -> None:
        """Say this worker lives; give the requests of workers that stopped saying so back."""
        self.server.set(keys.ALIVE + self.worker_id, "1", ex=HEARTBEAT_TTL)
        for key in self.server.scan_iter(keys.INFLIGHT + "*"):
            key = key.decode() if isinstance(key, bytes) else key
            owner = key[len(keys.INFLIGHT):]
            if owner != self.worker_id and not self.server.exists(keys.ALIVE + owner):
                n = self._requeue(keys=[key])
                if n:
                    log.warning("scale-out: worker %s is gone; %d of its requests put back on the queue", owner, n)

    def next_request(self):
        popped = self._pop(keys=[self.queue.key, self.inflight])
        if not popped:
            return None
        field, data = popped
        request = self.queue._decode_request(data)
        request.meta["raqib_inflight"] = field.decode() if isinstance(field, bytes) else field
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def enqueue_request(self, request):
        field = request.meta.pop("raqib_inflight", None)   # a redirect or retry of a taken request
        queued = super().enqueue_request(request)
        if field:
            self.done(field)
        return queued

    def forget(self, request) -> None:
        """Take a request that failed for good out of the seen-URL filter: the next
        cycle that finds its URL fetches it again (the filter is shared and lasting,
        so without this a failed article would never be tried again)."""
        from scaleout.middlewares import forget

        self.server.srem(self.df.key, self.df.request_fingerprint(request))
        forget(self.server, request.meta.get("redirect_urls", [request.url])[0])

    def done(self, field: str | None) -> None:
        if field:
            self.server.hdel(self.inflight, field)
