import time

from django.core.management.base import BaseCommand, CommandError

from dashboards.demo_data import Sizes, generate


class Command(BaseCommand):
    help = "生成大规模演示数据（单位、领导、事项、进展、等次、项目节点），用于看板演示和性能测试。"

    def add_arguments(self, parser):
        defaults = Sizes()
        parser.add_argument("--items", type=int, default=defaults.items)
        parser.add_argument("--units", type=int, default=defaults.units)
        parser.add_argument("--leaders", type=int, default=defaults.leaders)
        parser.add_argument("--year", type=int, default=None, help="默认为今年")
        parser.add_argument("--seed", type=int, default=defaults.seed)

    def handle(self, *args, **options):
        sizes = Sizes(
            items=options["items"],
            units=options["units"],
            leaders=options["leaders"],
            year=options["year"],
            seed=options["seed"],
        )
        started = time.perf_counter()
        try:
            counts = generate(sizes, log=lambda msg: self.stdout.write(f"  {msg}"))
        except ValueError as error:
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{name} {n}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"演示数据已生成：{summary}（{elapsed:.1f} 秒）"))
