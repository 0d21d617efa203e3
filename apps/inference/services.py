from dataclasses import asdict

from django.core.cache import cache
from django.utils import timezone

from apps.inference.types import GeneratorStats

STATS_CACHE_KEY = "inference:generator-stats"
STATS_TTL_S = 15 * 60


def generator_stats_publish(stats: GeneratorStats) -> None:
    """Share the serving process's generator figures with the admin (another process) through the cache."""
    cache.set(STATS_CACHE_KEY, {**asdict(stats), "published_at": timezone.now().isoformat()}, STATS_TTL_S)
