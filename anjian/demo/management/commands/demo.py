"""``manage.py demo --enterprises N [--if-empty] [--seed S] [--district 320585]``: demo and scale data.

See anjian/demo/enterprises.py for what is generated. Prints the demo accounts (all with the
password ``Anjian@2026``) at the end, also when ``--if-empty`` finds enterprises and does nothing.
"""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand

from anjian.demo.enterprises import DEMO_PASSWORD, PROVINCE_THRESHOLD, generate


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


class Command(BaseCommand):
    help = "Create demo data: the district's regions, grids, enterprises and one account per role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enterprises", type=int, default=300, help="how many enterprises and venues (default 300)"
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed; the same seed gives the same data")
        parser.add_argument(
            "--district",
            default=settings.ANJIAN_DEMO_DISTRICT,
            help=f"6-digit county code (default {settings.ANJIAN_DEMO_DISTRICT}); above {PROVINCE_THRESHOLD} "
            "enterprises its whole province is loaded",
        )
        parser.add_argument("--if-empty", action="store_true", help="do nothing when enterprises already exist")

    def handle(self, *args, enterprises, seed, district, if_empty, **options):
        verbose = options.get("verbosity", 1) >= 2
        result = generate(
            enterprises=enterprises,
            seed=seed,
            district=district,
            if_empty=if_empty,
            log=self.stdout.write if verbose else (lambda line: None),
        )
        out = self.stdout
        if result.created:
            s = result.stats
            out.write(
                self.style.SUCCESS(
                    f"演示数据已生成：{s.get('enterprises', 0)} 家企业/场所（其中场所 {s.get('venues', 0)}），"
                    f"{s.get('districts', 0)} 个区县、{s.get('towns', 0)} 个镇街、{s.get('grids', 0)} 个网格，"
                    f"用时 {result.timings.get('total', 0):.1f} 秒"
                )
            )
            for line in result.contributions:
                out.write(f"  {line}")
        else:
            out.write("已有企业档案，未生成演示数据（--if-empty）。")
        if not result.accounts:
            out.write("没有演示账号。")
            return
        out.write("")
        out.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        headers = ("用户名", "角色", "姓名", "所属")
        rows = [(a.username, a.role, a.display_name, a.scope) for a in result.accounts]
        widths = [max(_width(str(row[i])) for row in [headers, *rows]) for i in range(3)]
        for row in [headers, *rows]:
            out.write("  " + "  ".join(_pad(str(row[i]), widths[i]) for i in range(3)) + "  " + str(row[3]))
        if result.other_inspectors:
            out.write(
                f"  另有 {result.other_inspectors} 个网格员账号，每个网格一个，用户名为 grid_<网格代码>"
                f"（如 {result.inspector_example}），密码相同。"
            )
        if result.admin_phone:
            out.write(
                f"  {result.demo_enterprise} 预留企业管理员手机号 {result.admin_phone}："
                "用此手机号注册后，在首页获取短信验证码即可绑定该企业（演示环境的短信内容打印在本控制台）。"
            )
