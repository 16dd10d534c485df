from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings

from upward.demo import large
from upward.demo.management.commands.seed_demo import QUIET, _quiet_task_log


class Command(BaseCommand):
    help = (
        "Build one large organisation for benchmarks: by default about 50,000 people, 200 "
        "programmes, 20,000 pairs, 500,000 meetings and 1,000,000 survey answers. Use --scale "
        "to shrink it (e.g. 0.01) and --seed to repeat it. Writes no audit entries and sends "
        "nothing. Benchmark data only: every account shares one published password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Multiply every default size (default 1)."
        )
        for name in ("people", "programmes", "pairs", "meetings", "answers"):
            parser.add_argument(
                f"--{name}",
                type=int,
                default=None,
                help=f"How many {name} (default {getattr(large.FULL_SIZE, name):,} × scale).",
            )
        parser.add_argument("--seed", type=int, default=16, help="Random seed (default 16).")
        parser.add_argument("--slug", default=large.LARGE_SLUG, help="The organisation's slug.")
        parser.add_argument("--name", default="Large Organisation", help="Its name.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the organisation with this slug first, if there is one.",
        )
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"] <= 0:
            raise CommandError("--scale must be above 0.")
        given = {n: options[n] for n in ("people", "programmes", "pairs", "meetings", "answers")}
        if any(v is not None and v < 0 for v in given.values()):
            raise CommandError("Sizes cannot be negative.")
        sizes = large.Sizes.scaled(options["scale"], **given)
        self.stdout.write(
            f"Building “{options['slug']}”: {sizes.people:,} people, {sizes.programmes:,} "
            f"programmes, {sizes.pairs:,} pairs, {sizes.meetings:,} meetings, "
            f"{sizes.answers:,} survey answers (seed {options['seed']})"
        )
        progress = large.Progress(cast(TextIO, self.stderr._out), enabled=not options["quiet"])
        try:
            with override_settings(**QUIET), _quiet_task_log():
                result = large.seed_large(
                    sizes,
                    slug=options["slug"],
                    name=options["name"],
                    seed=options["seed"],
                    replace=options["replace"],
                    progress=progress,
                )
        except large.LargeSeedError as exc:
            raise CommandError(exc.message) from exc
        for line in large.summary(result):
            self.stdout.write(line)
