import logging
from dataclasses import asdict

from django.core.cache import cache
from django.utils import timezone
from redis.exceptions import RedisError

from apps.inference.types import GeneratorStats

logger = logging.getLogger(__name__)
STATS_CACHE_KEY = "inference:generator-stats"
STATS_TTL_S = 15 * 60


def generator_stats_publish(stats: GeneratorStats) -> None:
    """Share the serving process's generator figures with the admin (another process) through the cache. Called
    from a generation thread: a cache outage (Redis down) costs the admin its figures, never a batch."""
    try:
        cache.set(STATS_CACHE_KEY, {**asdict(stats), "published_at": timezone.now().isoformat()}, STATS_TTL_S)
    except (RedisError, OSError) as error:
        logger.warning("generator figures not published, the cache is unreachable: %s", error)
