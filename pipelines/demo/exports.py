"""The demo company's exports, written the way each tool writes them.

Each file is cut from the world (``world.build_world``) over the days its export covers, in the
layout of a built-in source: HubSpot contact snapshots, Google Ads and LinkedIn campaign reports
with their title lines and totals, a GBK 百度推广 report, WeChat's 用户增长 workbook, a Zhihu
follower sheet and a hand-kept sheet of competitors' Zhihu counts. Four rows are planted for the
quarantine, as they turn up in real exports; they are not part of the world.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import xlsxwriter

from pipelines.demo.world import (
    CAMPAIGNS,
    DEMO_SEED,
    DEMO_TODAY,
    FIRST_DAY,
    LAST_DAY,
    CostDay,
    FollowerDay,
    Lead,
    World,
    build_world,
)

_H2_2025 = (FIRST_DAY, date(2025, 12, 31))
_H1_2026 = (date(2026, 1, 1), date(2026, 6, 30))
_H2_2026 = (date(2026, 7, 1), LAST_DAY)
_STAGE_HEADINGS = {
    "mql_at": 'Date entered "Marketing Qualified Lead (Lifecycle Stage Pipeline)"',
    "sql_at": 'Date entered "Sales Qualified Lead (Lifecycle Stage Pipeline)"',
    "opportunity_at": 'Date entered "Opportunity (Lifecycle Stage Pipeline)"',
    "won_at": 'Date entered "Customer (Lifecycle Stage Pipeline)"',
}
_LIFECYCLE = {"created_at": "Lead", "mql_at": "Marketing Qualified Lead", "sql_at": "Sales Qualified Lead",
              "opportunity_at": "Opportunity", "won_at": "Customer"}
_ZHIHU_ACCOUNT = "云帆科技"


@dataclass(frozen=True)
class DemoFile:
    """One export of the demo, with what ``okrfunnel ingest`` needs to load it."""

    path: Path
    export_date: date  # passed to `okrfunnel ingest --export-date`
    source: str | None = None  # force a source name only where recognition can't tell


def write_exports(folder: Path, seed: int = DEMO_SEED) -> list[DemoFile]:
    """Write the demo company's exports from 2025-07-01 to 2026-11-22 into ``folder``.

    Args:
        folder: where the files go (created if missing; files of the same name are replaced).
        seed: the world's seed; the same seed writes byte-identical files.

    Returns:
        The files in the order they must be ingested: by export date, so that the later CRM
        snapshot replaces the earlier one and a later ad report restates the days it overlaps.
    """
    folder.mkdir(parents=True, exist_ok=True)
    world = build_world(seed)
    plan: list[tuple[str, date, Callable[[Path], None]]] = [
        ("google_ads_campaign_report_2025-07-01_2025-12-31.csv", date(2026, 1, 5),
         lambda p: _google_ads(p, world, *_H2_2025, credit=date(2025, 12, 1))),
        ("baidu_tuiguang_2025-07-01_2025-12-31.csv", date(2026, 1, 5), lambda p: _baidu(p, world, *_H2_2025)),
        ("wechat_user_growth_2025-07-01_2025-12-31.xlsx", date(2026, 1, 5), lambda p: _wechat(p, world, *_H2_2025)),
        ("zhihu_followers_2025H2.csv", date(2026, 1, 5), lambda p: _zhihu(p, world, *_H2_2025)),
        ("hubspot_contacts_2026-04-01.csv", date(2026, 4, 1), lambda p: _hubspot(p, world, date(2026, 4, 1))),
        ("linkedin_campaign_performance_2025-07-01_2026-03-31.csv", date(2026, 4, 1),
         lambda p: _linkedin(p, world, FIRST_DAY, date(2026, 3, 31), generated=date(2026, 4, 1))),
        # Exported on the first day of Q3: June's cost is not yet restated for invalid clicks.
        ("google_ads_campaign_report_2026-01-01_2026-06-30.csv", date(2026, 7, 1),
         lambda p: _google_ads(p, world, *_H1_2026, preliminary_from=date(2026, 6, 1))),
        ("baidu_tuiguang_2026-01-01_2026-06-30.csv", date(2026, 7, 1), lambda p: _baidu(p, world, *_H1_2026)),
        ("wechat_user_growth_2026-01-01_2026-06-30.xlsx", date(2026, 7, 1), lambda p: _wechat(p, world, *_H1_2026)),
        ("zhihu_followers_2026H1.csv", date(2026, 7, 1), lambda p: _zhihu(p, world, *_H1_2026, typo=date(2026, 3, 1))),
        ("hubspot_contacts_2026-11-23.csv", DEMO_TODAY, lambda p: _hubspot(p, world, DEMO_TODAY, broken=True)),
        # Overlaps June on purpose: the newer report restates it.
        ("google_ads_campaign_report_2026-06-01_2026-11-22.csv", DEMO_TODAY,
         lambda p: _google_ads(p, world, date(2026, 6, 1), LAST_DAY)),
        ("linkedin_campaign_performance_2026-04-01_2026-11-22.csv", DEMO_TODAY,
         lambda p: _linkedin(p, world, date(2026, 4, 1), LAST_DAY, generated=DEMO_TODAY)),
        ("wechat_user_growth_2026-07-01_2026-11-22.xlsx", DEMO_TODAY, lambda p: _wechat(p, world, *_H2_2026)),
        ("zhihu_followers_2026H2.csv", DEMO_TODAY, lambda p: _zhihu(p, world, *_H2_2026)),
        ("zhihu_competitors.csv", DEMO_TODAY, lambda p: _competitors(p, world)),
    ]
    files = []
    for name, export_date, write in sorted(plan, key=lambda item: item[1]):
        write(folder / name)
        files.append(DemoFile(folder / name, export_date))
    return files


def _write_csv(path: Path, rows: list[list], encoding: str = "utf-8", head: str = "") -> None:
    """``head``: lines a tool writes above the header, verbatim."""
    buffer = io.StringIO()
    buffer.write(head)
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def _stamp(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment:%Y-%m-%d %H:%M}"


def _hubspot(path: Path, world: World, exported: date, broken: bool = False) -> None:
    """A full contacts export made at midnight starting ``exported``: the stages reached by then."""
    cutoff = datetime.combine(exported, time())
    stage_headings = list(_STAGE_HEADINGS.values())
    header = ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Company Name", "Job Title",
              "Country/Region", "Lifecycle Stage", "Create Date", *stage_headings, "Original Traffic Source",
              "Original Traffic Source Drill-Down 1", "Recent Deal Amount"]
    rows = [_contact(lead, cutoff) for lead in world.leads if lead.created_at < cutoff]
    if broken:
        # A contact bulk-imported from a trade-show list whose create date was typed by hand.
        last = world.leads[-1]
        rows.append([last.record_id + 7, "建国", "钱", f"user{last.number + 1}@example.com", "", "杭州某某贸易有限公司",
                     "总经理", "China", "Lead", "2026-09-31 14:20", "", "", "", "", "Offline Sources", "IMPORT", ""])
    # HubSpot quotes every heading (some hold quotes); the rows only where needed.
    head = ",".join('"' + h.replace('"', '""') + '"' for h in header) + "\r\n"
    _write_csv(path, rows, head=head)


def _contact(lead: Lead, cutoff: datetime) -> list:
    stages = {f: m if (m := getattr(lead, f)) is not None and m < cutoff else None for f in _STAGE_HEADINGS}
    lifecycle = "Lead"
    for field, name in _LIFECYCLE.items():
        if field == "created_at" or stages[field] is not None:
            lifecycle = name
    return [
        lead.record_id, lead.first_name, lead.last_name, f"user{lead.number}@example.com", lead.phone, lead.company,
        lead.job_title, lead.country, lifecycle, _stamp(lead.created_at), *(_stamp(m) for m in stages.values()),
        lead.source, lead.drill_down, lead.amount if stages["won_at"] is not None else "",
    ]


def _thousands(value: float) -> str:
    return f"{value:,.0f}"


def _costs(world: World, platform: str, first: date, last: date) -> list[CostDay]:
    return [c for c in world.costs if c.campaign.platform == platform and first <= c.day <= last]


def _google_ads(path: Path, world: World, first: date, last: date, credit: date | None = None,
                preliminary_from: date | None = None) -> None:
    """Campaigns > Download > CSV, segmented by day: title, date range, rows, then Total rows."""
    rows = []
    for c in _costs(world, "google_ads", first, last):
        spend, clicks = c.spend, c.clicks
        if preliminary_from is not None and c.day >= preliminary_from:
            # Before invalid-click credits: a little more cost and clicks than restated later.
            spend, clicks = round(spend * 1.02 + 0.37, 2), clicks + 1 + clicks // 60
        rows.append([c.day.isoformat(), "Enabled", c.campaign.name, c.campaign.kind, "CNY", c.impressions, clicks, spend, c.conversions])
    if credit is not None:
        # A paused campaign credited for invalid traffic: Google reports negative cost.
        rows.append([credit.isoformat(), "Paused", "Display - Remarketing", "Display", "CNY", 0, 0, -38.6, 0.0])
    rows.sort(key=lambda r: (r[0], r[2]))
    body = [[*r[:5], *_google_metrics(r[5], r[6], r[7], r[8])] for r in rows]
    totals = [["Total: Campaigns", " --", " --", " --", "CNY", *_google_metrics(*_sums(rows))],
              ["Total: Account", "", "", "", "CNY", *_google_metrics(*_sums(rows))]]
    for kind in sorted({r[3] for r in rows}):
        totals.append([f"Total: {kind}", "", "", kind, "CNY", *_google_metrics(*_sums([r for r in rows if r[3] == kind]))])
    header = ["Day", "Campaign status", "Campaign", "Campaign type", "Currency code", "Impr.", "Clicks", "CTR",
              "Avg. CPC", "Cost", "Conversions"]
    head = f'Campaign report\r\n"{first:%B} {first.day}, {first.year} - {last:%B} {last.day}, {last.year}"\r\n'
    _write_csv(path, [header, *body, *totals], head=head)


def _sums(rows: list[list]) -> tuple[int, int, float, float]:
    return (sum(r[5] for r in rows), sum(r[6] for r in rows), round(sum(r[7] for r in rows), 2),
            round(sum(r[8] for r in rows), 2))


def _google_metrics(impressions: int, clicks: int, cost: float, conversions: float) -> list[str]:
    ctr = f"{clicks / impressions:.2%}" if impressions else " --"
    cpc = f"{cost / clicks:.2f}" if clicks else "0.00"
    return [_thousands(impressions), _thousands(clicks), ctr, cpc, f"{cost:.2f}", f"{conversions:,.2f}"]


def _linkedin(path: Path, world: World, first: date, last: date, generated: date) -> None:
    """Campaign Manager > Analyze > Export, daily: six lines of report metadata, then the rows."""
    def us(day: date) -> str:
        return f"{day.month}/{day.day}/{day.year}"

    campaign_ids = {c.name: 612345000 + i for i, c in enumerate(CAMPAIGNS)}
    groups = {"Sponsored Content": "Brand & Content", "Lead Gen Form": "Lead Generation", "Message Ad": "ABM 2026"}
    head = "".join(f'"{line}"\r\n' for line in (
        "Campaign Performance Report (in UTC)", f"Report Start: {us(first)}, 12:00 AM", f"Report End: {us(last)}, 11:59 PM",
        f"Date Generated: {us(generated)}, 9:12 AM", "Account Name: Yunfan Cloud 云帆科技", "Account ID: 508771203"))
    header = ["Start Date (in UTC)", "End Date (in UTC)", "Account Name", "Currency", "Campaign Group Name", "Campaign Name",
              "Campaign ID", "Campaign Type", "Total Spent", "Impressions", "Clicks", "Leads"]
    rows = [[us(c.day), us(c.day), "Yunfan Cloud 云帆科技", "CNY", groups[c.campaign.kind], c.campaign.name,
             campaign_ids[c.campaign.name], c.campaign.kind, f"{c.spend:.2f}", c.impressions, c.clicks,
             int(c.conversions) if c.campaign.kind in ("Lead Gen Form", "Message Ad") else 0]
            for c in sorted(_costs(world, "linkedin_ads", first, last), key=lambda c: (c.day, c.campaign.name))]
    _write_csv(path, [header, *rows], head=head)


def _baidu(path: Path, world: World, first: date, last: date) -> None:
    """百度营销 > 数据报告 > 推广计划报告 (分日), as the console saves it: GBK, a 合计 row last."""
    costs = sorted(_costs(world, "baidu", first, last), key=lambda c: (c.day, c.campaign.name))
    header = ["日期", "账户", "推广计划", "展现", "点击", "消费", "点击率", "平均点击价格"]
    rows = [[c.day.isoformat(), "云帆科技SEM", c.campaign.name, c.impressions, c.clicks, f"{c.spend:.2f}",
             f"{c.clicks / c.impressions:.2%}", f"{c.spend / c.clicks:.2f}"] for c in costs]
    impressions, clicks = sum(c.impressions for c in costs), sum(c.clicks for c in costs)
    total = round(sum(c.spend for c in costs), 2)
    rows.append(["合计", "", "", impressions, clicks, f"{total:.2f}", f"{clicks / impressions:.2%}", f"{total / clicks:.2f}"])
    _write_csv(path, [header, *rows], encoding="gbk")


def _in(series: tuple[FollowerDay, ...], first: date, last: date) -> list[FollowerDay]:
    return [f for f in series if first <= f.day <= last]


def _wechat(path: Path, world: World, first: date, last: date) -> None:
    """公众号后台 > 用户分析 > 用户增长 > 下载表格: a title row above the header, dates as text."""
    book = xlsxwriter.Workbook(str(path))
    # Fixed, so the same world writes the same bytes.
    book.set_properties({"created": datetime(2026, 11, 23, 9, 0, 0)})
    sheet = book.add_worksheet("用户增长")
    sheet.write_row(0, 0, [f"用户增长 {first.isoformat()} 至 {last.isoformat()}"])
    sheet.write_row(1, 0, ["时间", "新关注人数", "取消关注人数", "净增关注人数", "累积关注人数"])
    for i, f in enumerate(_in(world.wechat, first, last), start=2):
        sheet.write_string(i, 0, f.day.isoformat())
        sheet.write_row(i, 1, [f.new, f.lost, f.new - f.lost, f.total])
    book.close()


def _zhihu(path: Path, world: World, first: date, last: date, typo: date | None = None) -> None:
    """Kept in a sheet from 知乎机构号 数据中心, saved as CSV UTF-8 (with the BOM Excel adds)."""
    rows = [["日期", "平台", "账号", "粉丝数", "新增粉丝", "取关人数"]]
    for f in _in(world.zhihu, first, last):
        # One day typed by hand: month 03 became 13.
        day = f.day.isoformat().replace("-03-", "-13-") if f.day == typo else f.day.isoformat()
        rows.append([day, "zhihu", _ZHIHU_ACCOUNT, f.total, f.new, f.lost])
    _write_csv(path, rows, encoding="utf-8-sig")


def _competitors(path: Path, world: World) -> None:
    """Counted every Monday from the competitors' Zhihu pages; once copied as Zhihu displays it."""
    rows = [["日期", "平台", "竞品", "账号", "粉丝数"]]
    for c in world.competitors:
        shown = f"{c.followers / 10000:.1f}万" if (c.day, c.competitor) == (date(2026, 5, 18), "麦田营销云") else c.followers
        rows.append([c.day.isoformat(), "zhihu", c.competitor, c.account, shown])
    _write_csv(path, rows, encoding="utf-8-sig")

