from django.core.management.base import BaseCommand, CommandError

from apps.analytics.demo import analytics_demo_generate, analytics_demo_remove


class Command(BaseCommand):
    help = "Generate a plausible analytics history (demo users, events, payments, refunds) for the dashboards."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--users", type=int, default=1000, help="how many demo users to add (default 1000)")
        parser.add_argument("--days", type=int, default=60, help="spread their arrival over this many days")
        parser.add_argument("--seed", type=int, default=7, help="the random seed (the same seed, the same history)")
        parser.add_argument("--remove", action="store_true", help="delete every demo user and their history")

    def handle(self, *args, users: int, days: int, seed: int, remove: bool, **options) -> None:
        if remove:
            self.stdout.write(f"removed {analytics_demo_remove()} demo users")
            return
        if not 1 <= users <= 1_000_000 or not 1 <= days <= 3650:
            raise CommandError("--users must be 1..1000000 and --days 1..3650")
        summary = analytics_demo_generate(users=users, days=days, seed=seed)
        self.stdout.write(
            f"added {summary.users} demo users, {summary.events} events, "
            f"{summary.payments} payments, {summary.refunds} refunds"
        )
