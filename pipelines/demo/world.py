"""云帆科技 (Yunfan Cloud), the demo company: a simulated marketing department, day by day.

The world is the truth the demo's exports are cut from: every ad campaign's daily cost, every
lead with the moments it entered each stage, the follower counts of our own accounts and of the
competitors' on Zhihu. ``exports`` writes it in the tools' formats; ``okrs`` reads KR baselines
and targets off it. One seeded ``random.Random`` drives everything, in a fixed order, so a seed
always yields the same world.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

DEMO_TODAY = date(2026, 11, 23)
DEMO_CYCLES = ("2026-Q3", "2026-Q4")
ADOPTION_BASELINE = "2026-Q2"
DEMO_SEED = 2026

FIRST_DAY = date(2025, 7, 1)
LAST_DAY = DEMO_TODAY - timedelta(days=1)
OKR_START = date(2026, 7, 1)
BAIDU_STOP = date(2026, 7, 1)  # switched off after 2026-Q2: many clicks, few SQLs

# Chinese public holidays in the span, and the weeks around Spring Festival when B2B buyers are
# away: (first day, last day, factor on leads and ad budgets).
_HOLIDAYS = (
    (date(2025, 10, 1), date(2025, 10, 8), 0.3),
    (date(2026, 1, 1), date(2026, 1, 3), 0.4),
    (date(2026, 2, 9), date(2026, 2, 14), 0.7),
    (date(2026, 2, 15), date(2026, 2, 23), 0.15),
    (date(2026, 2, 24), date(2026, 3, 1), 0.8),
    (date(2026, 4, 4), date(2026, 4, 6), 0.5),
    (date(2026, 5, 1), date(2026, 5, 5), 0.4),
    (date(2026, 6, 19), date(2026, 6, 21), 0.6),
    (date(2026, 9, 25), date(2026, 9, 27), 0.6),
    (date(2026, 10, 1), date(2026, 10, 7), 0.3),
)
_LEAD_WEEKDAY = (1.05, 1.1, 1.1, 1.05, 0.9, 0.35, 0.3)
_SPEND_WEEKDAY = (1.0, 1.05, 1.05, 1.0, 0.95, 0.5, 0.45)


@dataclass(frozen=True)
class Campaign:
    platform: str  # google_ads | linkedin_ads | baidu
    name: str
    kind: str  # the tool's campaign type
    budgets: tuple[tuple[date, float], ...]  # (from day, CNY per weekday); 0 pauses it
    cpc: float
    ctr: float
    lead_rate: float  # HubSpot contacts per click
    quality: float  # SQL propensity of its MQLs against an average lead


CAMPAIGNS = (
    Campaign("google_ads", "Brand - CN", "Search", ((FIRST_DAY, 450), (OKR_START, 550)), 3.6, 0.085, 0.045, 1.2),
    Campaign("google_ads", "Generic - Marketing Automation", "Search",
             ((FIRST_DAY, 1100), (date(2026, 1, 1), 1300), (OKR_START, 2300)), 9.2, 0.034, 0.028, 1.0),
    Campaign("google_ads", "Competitor - Conquest", "Search", ((FIRST_DAY, 450), (date(2026, 4, 1), 0)), 12.5, 0.024, 0.02, 0.6),
    Campaign("google_ads", "PMax - Free Trial", "Performance Max", ((FIRST_DAY, 0), (date(2026, 7, 13), 800)), 4.8, 0.012, 0.022, 0.9),
    Campaign("linkedin_ads", "Brand Awareness - Sponsored Content", "Sponsored Content", ((FIRST_DAY, 420),), 27.0, 0.0055, 0.03, 0.8),
    Campaign("linkedin_ads", "Lead Gen - 营销自动化白皮书", "Lead Gen Form",
             ((FIRST_DAY, 0), (date(2025, 10, 13), 700)), 31.0, 0.0065, 0.11, 0.9),
    Campaign("linkedin_ads", "ABM - Top 500 Accounts - Message Ads", "Message Ad",
             ((FIRST_DAY, 0), (date(2026, 7, 6), 1500)), 19.0, 0.032, 0.06, 1.8),
    Campaign("linkedin_ads", "Webinar Series - 营销自动化实战", "Sponsored Content",
             ((FIRST_DAY, 0), (date(2026, 9, 1), 500)), 24.0, 0.007, 0.06, 1.3),
    Campaign("baidu", "品牌词", "搜索推广", ((FIRST_DAY, 380), (BAIDU_STOP, 0)), 2.6, 0.08, 0.035, 0.9),
    Campaign("baidu", "营销自动化-通用词", "搜索推广",
             ((FIRST_DAY, 1900), (date(2026, 1, 1), 1700), (BAIDU_STOP, 0)), 7.1, 0.03, 0.022, 0.55),
    Campaign("baidu", "竞品词", "搜索推广", ((FIRST_DAY, 650), (date(2026, 4, 1), 0)), 10.0, 0.02, 0.018, 0.45),
)

# HubSpot's Original Traffic Source (display name), its drill-down, our channel, leads per
# weekday at the start and at the end of the span, P(MQL), SQL propensity.
_ORGANIC = (
    ("Organic Search", "Baidu", "organic_search", 2.5, 3.8, 0.33, 1.0),
    ("Organic Search", "Google", "organic_search", 0.8, 1.2, 0.33, 1.0),
    ("Email Marketing", "Newsletter", "email", 1.8, 2.2, 0.28, 0.9),
    ("Direct Traffic", "", "direct", 1.7, 2.5, 0.4, 1.4),
    ("Referrals", "partner", "referral", 0.8, 1.4, 0.6, 2.0),
    ("Other Campaigns", "", "other", 0.6, 0.6, 0.15, 0.5),
)
# Ad platform -> Original Traffic Source, its drill-down, our channel, P(MQL).
_PAID = {
    "google_ads": ("Paid Search", "Google", "paid_search", 0.3),
    "baidu": ("Paid Search", "Baidu", "paid_search", 0.24),
    "linkedin_ads": ("Paid Social", "LinkedIn", "paid_social", 0.36),
}

# Offline leads imported after an event: (import day, drill-down, contacts, SQL propensity).
_EVENTS = (
    (date(2025, 9, 19), "2025 营销数字化沙龙·上海", 70, 1.0),
    (date(2025, 11, 14), "2025 中国营销科技大会", 190, 0.9),
    (date(2026, 4, 24), "2026 SaaS 增长峰会·杭州", 120, 1.0),
    (date(2026, 6, 12), "营销数字化沙龙·深圳", 60, 1.1),
)
WEBINAR_START = date(2026, 7, 16)  # 营销自动化实战 webinars: every other Thursday from here

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
_GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
          "秀英", "霞", "平", "刚", "桂英", "晨", "欣怡", "子涵", "浩然", "宇轩", "思远", "雨桐", "志强")
_CITIES = ("上海", "北京", "深圳", "杭州", "广州", "苏州", "南京", "成都", "武汉", "西安", "厦门", "合肥")
_WORDS = ("云图", "智联", "星河", "锐思", "数维", "博远", "启明", "蓝海", "恒信", "华创", "天衡", "优客", "鼎盛", "凌峰", "汇通")
_TRADES = ("信息技术", "软件", "智能制造", "医疗科技", "教育科技", "新材料", "供应链管理", "网络科技")
_TITLES = ("市场总监", "市场经理", "数字营销经理", "品牌经理", "增长负责人", "销售运营经理", "CMO", "运营总监", "市场专员")


@dataclass(frozen=True)
class CostDay:
    day: date
    campaign: Campaign
    spend: float  # CNY, rounded to fen as the tool prints it
    impressions: int
    clicks: int
    conversions: float


@dataclass(frozen=True)
class Lead:
    number: int  # n in userN@example.com
    record_id: int
    first_name: str
    last_name: str
    company: str
    job_title: str
    phone: str
    country: str
    source: str  # HubSpot Original Traffic Source
    drill_down: str
    channel: str
    created_at: datetime
    mql_at: datetime | None
    sql_at: datetime | None
    opportunity_at: datetime | None
    won_at: datetime | None
    amount: int | None


@dataclass(frozen=True)
class FollowerDay:
    day: date
    new: int
    lost: int
    total: int


@dataclass(frozen=True)
class CompetitorCount:
    day: date
    competitor: str
    account: str
    followers: int


@dataclass(frozen=True)
class World:
    costs: tuple[CostDay, ...]
    leads: tuple[Lead, ...]  # in creation order
    wechat: tuple[FollowerDay, ...]
    zhihu: tuple[FollowerDay, ...]
    competitors: tuple[CompetitorCount, ...]


def _days(first: date = FIRST_DAY, last: date = LAST_DAY) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _season(day: date) -> float:
    """Demand on ``day`` against an ordinary weekday: holidays, and the year-end push in November."""
    for first, last, factor in _HOLIDAYS:
        if first <= day <= last:
            return factor
    return 1.15 if day.month == 11 else 1.0


def _budget(campaign: Campaign, day: date) -> float:
    amount = 0.0
    for start, value in campaign.budgets:
        if day >= start:
            amount = value
    # The year-end push raises budgets from November (approved late October in 2026).
    return amount * (1.15 if day.month == 11 else 1.0)


@lru_cache(maxsize=4)
def build_world(seed: int = DEMO_SEED) -> World:
    """The demo company's data for ``seed``; the same seed always gives the same world."""
    rng = random.Random(seed)
    costs = _costs(rng)
    zhihu = _followers(rng, 1180, _zhihu_rate, viral=4)
    wechat = _followers(rng, 18600, _wechat_rate, viral=0)
    leads = _leads(rng, costs, zhihu)
    return World(tuple(costs), tuple(leads), tuple(wechat), tuple(zhihu), tuple(_competitors(rng)))


def _costs(rng: random.Random) -> list[CostDay]:
    rows = []
    for day in _days():
        for campaign in CAMPAIGNS:
            planned = _budget(campaign, day) * _SPEND_WEEKDAY[day.weekday()] * max(_season(day), 0.3)
            if planned <= 0:
                continue
            spend = round(planned * rng.uniform(0.85, 1.1), 2)
            clicks = max(1, round(spend / (campaign.cpc * rng.uniform(0.85, 1.15))))
            impressions = round(clicks / (campaign.ctr * rng.uniform(0.8, 1.2)))
            conversions = float(_poisson(rng, clicks * campaign.lead_rate * 0.8))
            rows.append(CostDay(day, campaign, spend, impressions, clicks, conversions))
    return rows


def _sql_propensity(mql_day: date) -> float:
    """P(SQL | MQL) for an average lead: lead scoring and a 48-hour follow-up SLA with sales came
    with the OKRs (rolled out over July 2026)."""
    before, after = 0.16, 0.25
    if mql_day < date(2026, 1, 1):
        return before
    if mql_day < date(2026, 6, 22):
        return 0.17
    if mql_day < date(2026, 8, 1):
        return 0.17 + (after - 0.17) * (mql_day - date(2026, 6, 22)).days / 40
    return after if mql_day < date(2026, 10, 1) else 0.29  # a second SDR from October


def _leads(rng: random.Random, costs: list[CostDay], zhihu: list[FollowerDay]) -> list[Lead]:
    """Contacts day by day (paid ones from their campaign's clicks), each walked down the funnel."""
    span = (LAST_DAY - FIRST_DAY).days
    zhihu_total = {f.day: f.total for f in zhihu}
    paid_by_day: dict[date, list[CostDay]] = {}
    for cost in costs:
        paid_by_day.setdefault(cost.day, []).append(cost)
    raw: list[tuple[datetime, str, str, str, float, float]] = []  # created, source, drill, channel, P(MQL), quality

    def add(day: date, count: int, source: str, drill: str, channel: str, p_mql: float, quality: float) -> None:
        for _ in range(count):
            raw.append((_moment(rng, day, rng.choice(_LEAD_HOURS)), source, drill, channel, p_mql, quality))

    for day in _days():
        demand = _LEAD_WEEKDAY[day.weekday()] * _season(day)
        for cost in paid_by_day.get(day, []):
            source, drill, channel, p_mql = _PAID[cost.campaign.platform]
            # ABM contacts are picked from the ideal customer profile: more of them qualify.
            abm = cost.campaign.quality > 1.5
            add(day, _poisson(rng, cost.clicks * cost.campaign.lead_rate), source, drill, channel,
                p_mql * (1.3 if abm else 1), cost.campaign.quality)
        growth = (day - FIRST_DAY).days / span
        for source, drill, channel, start, end, p_mql, quality in _ORGANIC:
            add(day, _poisson(rng, (start + (end - start) * growth) * demand), source, drill, channel, p_mql, quality)
        # Zhihu answers bring leads in proportion to the audience; WeChat articles steadily.
        add(day, _poisson(rng, zhihu_total[day] / 5500 * demand), "Organic Social", "Zhihu", "organic_social", 0.27, 0.8)
        add(day, _poisson(rng, 1.1 * demand), "Organic Social", "WeChat", "organic_social", 0.25, 0.8)
        for event_day, name, count, quality in _EVENTS:
            if day == event_day:
                add(day, count, "Offline Sources", name, "events", 0.5, quality)
        if (_next_webinar(day) - day).days < 8:
            # Registrations arrive in the week before each webinar, synced from the webinar tool.
            add(day, _poisson(rng, (9 if day.month < 10 else 12) * _season(day)), "Offline Sources",
                f"Webinar {_next_webinar(day):%m%d}", "events", 0.45, 1.3)
    raw.sort(key=lambda r: r[0])
    leads = []
    record_id = 51200300
    for number, (created, source, drill, channel, p_mql, quality) in enumerate(raw, start=1):
        record_id += rng.randint(1, 3)
        leads.append(_walk(rng, number, record_id, created, source, drill, channel, p_mql, quality))
    return leads


def _next_webinar(day: date) -> date:
    """The first webinar on or after ``day``."""
    offset = max((day - WEBINAR_START).days, 0)
    return WEBINAR_START + timedelta(days=-(-offset // 14) * 14)


_LEAD_HOURS = (9, 10, 10, 11, 11, 14, 14, 15, 15, 16, 16, 17, 19, 20, 21, 22)


def _walk(rng, number, record_id, created, source, drill, channel, p_mql, quality) -> Lead:
    """One lead down the funnel: MQL days after creation, SQL 1-3 weeks after MQL, and so on."""
    mql = sql = opp = won = None
    amount = None
    if created.date() >= OKR_START:
        p_mql *= 1.1  # gated content written for the ICP since the OKRs
    if rng.random() < p_mql:
        lag = min(int(rng.expovariate(1 / 2.2)), 12)
        mql = created + timedelta(minutes=rng.randint(20, 300)) if lag == 0 else _moment(rng, created.date() + timedelta(days=lag), rng.randint(8, 21))
        if rng.random() < min(_sql_propensity(mql.date()) * quality, 0.9):
            sql = _workday_moment(rng, mql.date() + timedelta(days=rng.randint(7, 21)))
    elif channel in ("referral", "direct", "events") and rng.random() < 0.04:
        # Sales qualifies some warm contacts directly; HubSpot then has no MQL date.
        sql = _workday_moment(rng, created.date() + timedelta(days=rng.randint(1, 6)))
    if sql is not None and rng.random() < 0.55:
        opp = _workday_moment(rng, sql.date() + timedelta(days=rng.randint(3, 20)))
        if rng.random() < 0.3:
            won = _workday_moment(rng, opp.date() + timedelta(days=rng.randint(21, 75)))
            amount = int(min(max(rng.lognormvariate(math.log(78000), 0.45), 19800), 480000) // 1000 * 1000)
    # Google and LinkedIn also reach Chinese-speaking buyers abroad.
    overseas = drill in ("Google", "LinkedIn") and source.startswith("Paid") and rng.random() < 0.25
    return Lead(
        number=number, record_id=record_id, first_name=rng.choice(_GIVEN), last_name=rng.choice(_SURNAMES),
        company=f"{rng.choice(_CITIES)}{rng.choice(_WORDS)}{rng.choice(_TRADES)}有限公司",
        job_title=rng.choice(_TITLES),
        phone=f"+86 1{rng.choice('3589')}{rng.randint(0, 9)} 0000 {number % 10000:04d}" if rng.random() < 0.6 else "",
        country=rng.choice(("Singapore", "Malaysia", "Hong Kong SAR")) if overseas else "China",
        source=source, drill_down=drill, channel=channel, created_at=created,
        mql_at=mql, sql_at=sql, opportunity_at=opp, won_at=won, amount=amount,
    )


def _moment(rng: random.Random, day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, rng.randint(0, 59)))


def _workday_moment(rng: random.Random, day: date) -> datetime:
    """Sales moves a lead on a working day."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return _moment(rng, day, rng.randint(9, 18))


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _zhihu_rate(day: date) -> float:
    """New Zhihu followers per day: the account is young; the OKRs made it a priority in Q3."""
    if day < date(2026, 1, 1):
        return 26
    if day < OKR_START:
        return 46
    return 76 if day < date(2026, 10, 1) else 52


def _wechat_rate(day: date) -> float:
    return 34 if day.weekday() < 5 else 18


def _followers(rng: random.Random, start: int, rate, viral: int) -> list[FollowerDay]:
    """Daily follows and unfollows; on Zhihu a few answers go viral and bring a burst."""
    all_days = _days()
    bursts = {}
    for _ in range(viral):
        first = rng.choice(all_days[30:-10])
        for i, extra in enumerate((520, 260, 90)):
            bursts[first + timedelta(days=i)] = bursts.get(first + timedelta(days=i), 0) + extra
    total, out = start, []
    for day in all_days:
        new = _poisson(rng, rate(day) * max(_season(day), 0.5)) + bursts.get(day, 0)
        lost = _poisson(rng, 0.06 * new + 6)
        total += new - lost
        out.append(FollowerDay(day, new, lost, total))
    return out


# Zhihu accounts of the competitors: (company, account, followers on 2025-07-07, gain per week).
COMPETITORS = (
    ("智营云", "智营云官方", 38200, 128),
    ("数客科技", "数客科技", 15600, 98),
    ("麦田营销云", "麦田营销云", 8900, 72),
    ("青鸟MA", "青鸟MA营销自动化", 4100, 55),
)


def _competitors(rng: random.Random) -> list[CompetitorCount]:
    """Counted by hand every Monday from the accounts' Zhihu pages."""
    out = []
    totals = [start for _, _, start, _ in COMPETITORS]
    for monday in (d for d in _days(date(2025, 7, 7)) if d.weekday() == 0):
        for i, (competitor, account, _, gain) in enumerate(COMPETITORS):
            out.append(CompetitorCount(monday, competitor, account, totals[i]))
            totals[i] += max(0, round(rng.gauss(gain, gain * 0.3)))
    return out
