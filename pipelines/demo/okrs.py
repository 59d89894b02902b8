"""The demo marketing department's OKR files: 2026-Q3 (closed) and 2026-Q4 (running).

Modelled on the article in ``../shared/seed``: a department objective to make marketing the main
source of qualified pipeline, a new-media objective to make Zhihu the industry's most-followed
account, and a team objective aligned to the first. Baselines are the previous quarter's actuals
read off the world; targets are set from the data so that, as of 2026-11-22, the story holds:
SQLs on track, cost per SQL at risk, the MQL-to-SQL rate dropping with its data lagging, Zhihu
followers off track under an owner who stays at 8, and the case library gone stale.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import yaml

from pipelines.demo import measures
from pipelines.demo.world import DEMO_SEED, LAST_DAY, World, build_world

_WIKI = "https://wiki.yunfan.example/marketing"
_Q3_MONDAYS = [date(2026, 7, 6) + timedelta(weeks=i) for i in range(13)]
# The first Monday of Q4 fell in the National Day holiday; the last one is in the week-47 file.
_Q4_MONDAYS = [date(2026, 10, 12) + timedelta(weeks=i) for i in range(5)]
_WEEK47 = date(2026, 11, 16)
_REVISION = {"kr": "KR1.1", "approved_by": "周强", "revision_date": date(2026, 10, 26)}


def write_okr_files(folder: Path) -> list[Path]:
    """Write the demo's OKR files into ``folder``, fitted to the exports of the default seed.

    Returns:
        In the order to load them: ``okrs_2026-Q3.yaml``, ``scores_2026-Q3.yaml`` (the quarter-end
        scores, lessons and next steps, loaded before Q3 is closed), ``okrs_2026-Q4.yaml``,
        ``okrs_2026-Q4_revised.yaml`` (KR1.1's target raised once the year-end budget was
        approved) and ``checkins_2026-Q4_week47.csv`` (the last week's check-ins on their own).
    """
    folder.mkdir(parents=True, exist_ok=True)
    world = build_world(DEMO_SEED)
    q4_original, q4_revised = _q4(world, revised=False), _q4(world, revised=True)
    files = [
        (folder / "okrs_2026-Q3.yaml", _yaml("2026-Q3 (已结束)", _q3(world))),
        (folder / "scores_2026-Q3.yaml", _yaml("2026-Q3 季度评分与复盘", _q3_scores())),
        (folder / "okrs_2026-Q4.yaml", _yaml("2026-Q4", q4_original)),
        (folder / "okrs_2026-Q4_revised.yaml", _yaml("2026-Q4 (10月26日修订: KR1.1 目标上调)", q4_revised)),
        (folder / "checkins_2026-Q4_week47.csv", _week47_csv()),
    ]
    for path, text in files:
        path.write_bytes(text.encode("utf-8"))
    return [path for path, _ in files]


class _Flow(dict):
    """A mapping written on one line, as PRODUCT.md writes check-ins and filters."""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data) -> bool:
        return True  # check-ins share date objects; anchors would only confuse a reader


_Dumper.add_representer(_Flow, lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True))
_Dumper.add_representer(list, lambda d, data: d.represent_sequence(
    "tag:yaml.org,2002:seq", data, flow_style=all(not isinstance(x, dict | list) for x in data)))


def _yaml(title: str, doc: dict) -> str:
    head = f"# 云帆科技 市场部 OKR {title}\n# 信心指数 1-10, 每周一更新; 关键任务的结果沉淀在知识库 {_WIKI}\n"
    return head + yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=200)


def _wan(count: float) -> str:
    """A follower count the way Chinese teams write it.

    >>> _wan(19859)
    '1.99万'
    """
    return f"{count / 10000:.2f}万"


def _kr(kr_id: str, title: str, owner: str, confidence: int, weight: float, **binding) -> dict:
    return {"id": kr_id, "title": title, "owner": owner, **binding, "weight": weight, "confidence": confidence}


def _q3(world: World) -> dict:
    """Targets set so Q3 closes with a mix: SQLs, the rate and both manual KRs achieved; cost per
    SQL narrowly missed (attainment ~0.85), Zhihu followers and ABM SQLs missed."""
    q2, q3 = measures.quarter("2026-Q2"), measures.quarter("2026-Q3")
    sqls_base, sqls = measures.stage_count(world, "sql", q2), measures.stage_count(world, "sql", q3)
    cps_base, cps = round(measures.cost_per_sql(world, q2)), measures.cost_per_sql(world, q3)
    rate_base = round(measures.mql_to_sql_rate(world, q2), 3)
    zhihu_base = measures.zhihu_followers(world, q2.end)
    abm_base, abm = (measures.stage_count(world, "sql", q, ("paid_social",)) for q in (q2, q3))
    sqls_target = _round(sqls / 1.1, 10)
    cps_target = _round(cps_base + (cps - cps_base) / 0.85, 10)
    abm_target = _round(abm / 0.9, 10)
    objectives = [
        {"id": "O1", "title": "让市场部成为合格商机的主要来源", "owner": "王芳", "level": "department", "key_results": [
            _kr("KR1.1", f"本季度 SQL 从 {sqls_base} 提升到 {sqls_target}", "王芳", 5, 0.4,
                metric="sqls", kind="total", baseline=sqls_base, target=sqls_target),
            _kr("KR1.2", f"单个 SQL 成本从 {cps_base} 元降到 {cps_target} 元", "张伟", 6, 0.3,
                metric="cost_per_sql", kind="level", baseline=cps_base, target=cps_target),
            _kr("KR1.3", f"MQL→SQL 转化率从 {rate_base:.1%} 提升到 26%", "刘洋", 5, 0.3,
                metric="mql_to_sql_rate", kind="level", baseline=rate_base, target=0.26),
        ]},
        {"id": "O2", "title": "试水知乎：让知乎成为行业粉丝数第一的新媒体平台", "owner": "李娜", "level": "department",
         "key_results": [
             _kr("KR2.1", f"知乎粉丝数从 {_wan(zhihu_base)} 增至 2.5万", "陈静", 8, 0.6,
                 metric="followers", kind="level", filters=_Flow(platform=["zhihu"]), baseline=zhihu_base, target=25000),
             _kr("KR2.2", "知乎专栏发布 12 篇营销自动化深度文章", "周敏", 6, 0.4, kind="manual", baseline=0, target=12),
         ]},
        {"id": "O3", "title": "领英 ABM：打开 500 家目标客户的大门", "owner": "张伟", "level": "team", "aligns_to": "O1",
         "key_results": [
             _kr("KR3.1", f"领英带来的 SQL 从 {abm_base} 个提升到 {abm_target} 个", "张伟", 5, 0.5,
                 metric="sqls", kind="total", filters=_Flow(channel=["paid_social"]), baseline=abm_base, target=abm_target),
             _kr("KR3.2", "建立 500 家目标客户名单并完成 A/B/C 分层", "张伟", 6, 0.5, kind="manual", baseline=0, target=500),
         ]},
    ]
    return {"cycle": "2026-Q3", "objectives": objectives, "checkins": _q3_checkins(), "tasks": _q3_tasks()}


def _q3_scores() -> dict:
    """The Q3 review: self scores near the suggestion, a committee that marks the Zhihu follower
    KR down (the owner stayed at confidence 8 while it slid) and the ABM list up."""
    scores = [
        _Flow(kr="KR1.1", self=10, committee=10, note="研讨会和百度品牌词贡献了一半 SQL", by="评审委员会"),
        _Flow(kr="KR1.2", self=8, committee=8, by="评审委员会"),
        _Flow(kr="KR1.3", self=8, committee=7, note="转化率提升主要来自销售跟进提速，市场侧贡献有限", by="评审委员会"),
        _Flow(kr="KR2.1", self=7, committee=5, note="信心一直保持 8 分，但粉丝增长在 8 月已明显放缓", by="评审委员会"),
        _Flow(kr="KR2.2", self=10, by="周敏"),
        _Flow(kr="KR3.1", self=9, committee=9, by="评审委员会"),
        _Flow(kr="KR3.2", self=9, committee=10, note="名单质量超出预期，销售已开始使用", by="评审委员会"),
    ]
    people = [_Flow(name=name, values=values, review=review, by="人力资源部")
              for name, values, review in (("王芳", 9, 9), ("张伟", 8, 8), ("刘洋", 7, 8), ("陈静", 7, 7), ("周敏", 9, 8))]
    return {
        "cycle": "2026-Q3", "scores": scores, "people": people,
        "lessons": ["直播课和研讨会带来的线索转化最好，应成为主力渠道",
                    _Flow(text="信心指数连续多周不变时，要追问数据是否支撑", by="王芳"),
                    "知乎粉丝增长依赖热点，单靠专栏文章难以持续"],
        "next_steps": [_Flow(text="Q4 研讨会频率翻倍，并用客户案例做跟进", by="李娜"),
                       _Flow(text="领英 ABM 名单交给销售分层跟进，每周复盘一次", by="张伟"),
                       "每周一例会先看信心变化最大的三个关键结果"],
    }


def _q4(world: World, revised: bool) -> dict:
    """Targets set from the data to 2026-11-22 (58% of the quarter gone): SQLs and the two other
    totals at ~0.55 attainment (on track), cost per SQL at 0.40 (at risk), the rate below its
    baseline while November's MQLs have not had time to convert, followers at the leader's count."""
    q3, q4 = measures.quarter("2026-Q3"), measures.quarter("2026-Q4")
    pace = ((LAST_DAY - q4.start).days + 1) / ((q4.end - q4.start).days + 1) - 0.03
    sqls_base, sqls = measures.stage_count(world, "sql", q3), measures.stage_count(world, "sql", q4)
    cps_base, cps = round(measures.cost_per_sql(world, q3)), measures.cost_per_sql(world, q4)
    rate_base = round(measures.mql_to_sql_rate(world, q3), 3)
    zhihu_base = measures.zhihu_followers(world, q3.end)
    leader, leader_count = measures.top_competitor(world, q3.end)
    social_base, social = (measures.stage_count(world, "created", q, ("organic_social",)) for q in (q3, q4))
    events_base, events = (measures.stage_count(world, "mql", q, ("events",)) for q in (q3, q4))
    sqls_target = _round(sqls / pace, 10)
    if not revised:
        sqls_target = _round(sqls_target * 0.9, 10)
    kr11 = _kr("KR1.1", f"本季度 SQL 从 {sqls_base} 提升到 {sqls_target}", "王芳", 6, 0.4,
               metric="sqls", kind="total", baseline=sqls_base, target=sqls_target)
    if revised:
        kr11.update(approved_by=_REVISION["approved_by"], revision_date=_REVISION["revision_date"])
    cps_target = _round(cps_base + (cps - cps_base) / 0.40, 10)
    objectives = [
        {"id": "O1", "title": "让市场部成为合格商机的主要来源", "owner": "王芳", "level": "department", "key_results": [
            kr11,
            _kr("KR1.2", f"单个 SQL 成本从 {cps_base} 元降到 {cps_target} 元", "张伟", 6, 0.3,
                metric="cost_per_sql", kind="level", baseline=cps_base, target=cps_target),
            _kr("KR1.3", f"MQL→SQL 转化率从 {rate_base:.1%} 提升到 35%", "刘洋", 7, 0.3,
                metric="mql_to_sql_rate", kind="level", baseline=rate_base, target=0.35),
        ]},
        {"id": "O2", "title": "让知乎成为行业粉丝数第一的新媒体平台", "owner": "李娜", "level": "department", "key_results": [
            _kr("KR2.1", f"知乎粉丝数从 {_wan(zhihu_base)} 增至 {_wan(leader_count)}, 追平行业第一({leader})", "陈静", 8, 0.6,
                metric="followers", kind="level", filters=_Flow(platform=["zhihu"]), baseline=zhihu_base, target=leader_count),
            _kr("KR2.2", f"知乎和公众号带来的线索从 {social_base} 条增至 {_round(social / pace, 10)} 条", "陈静", 7, 0.4,
                metric="leads", kind="total", filters=_Flow(channel=["organic_social"]), baseline=social_base,
                target=_round(social / pace, 10)),
        ]},
        {"id": "O3", "title": "内容营销组：用直播课和客户案例培育高质量线索", "owner": "李娜", "level": "team", "aligns_to": "O1",
         "key_results": [
             _kr("KR3.1", f"直播课与线下活动带来的 MQL 从 {events_base} 个增至 {_round(events / pace, 10)} 个", "赵磊", 6, 0.5,
                 metric="mqls", kind="total", filters=_Flow(channel=["events"]), baseline=events_base,
                 target=_round(events / pace, 10)),
             _kr("KR3.2", "上线客户案例库：发布 20 个标杆客户案例", "周敏", 5, 0.5, kind="manual", baseline=0, target=20),
         ]},
    ]
    return {"cycle": "2026-Q4", "objectives": objectives, "checkins": _q4_checkins(), "tasks": _q4_tasks()}


def _round(value: float, step: int) -> int:
    return int(round(value / step) * step)


def _series(kr: str, mondays: list[date], confidence: list[int], notes: dict[int, str],
            values: list[int] | None = None) -> list[dict]:
    out = []
    for i, (day, level) in enumerate(zip(mondays, confidence)):
        entry = _Flow(kr=kr, date=day, confidence=level)
        if values is not None:
            entry["value"] = values[i]
        if i in notes:
            entry["note"] = notes[i]
        out.append(entry)
    return out


def _q3_checkins() -> list[dict]:
    weeks = _Q3_MONDAYS
    return _by_week([
        *_series("KR1.1", weeks, [5, 5, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9],
                 {0: "SQL 标准刚和销售对齐, 先看两周数据", 4: "线索评分上线后 SQL 明显增加", 12: "已超过目标"}),
        *_series("KR1.2", weeks, [6, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7],
                 {0: "百度推广已停, 预算转向 Google 和领英", 8: "ABM 消息广告单价偏高", 12: "差一点, 下季度继续"}),
        *_series("KR1.3", weeks, [5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 8],
                 {3: "48 小时跟进 SLA 开始执行", 9: "8 月 MQL 转化率接近 30%"}),
        *_series("KR2.1", weeks, [8] * 13, {0: "知乎是我们的主场, 有信心", 6: "一篇回答上了热榜", 12: "差距还在, 但势头很好"}),
        *_series("KR2.2", weeks, [6, 6, 7, 7, 7, 8, 8, 8, 8, 9, 9, 9, 10], {11: "第 12 篇已排期"},
                 values=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 11, 12]),
        *_series("KR3.1", weeks, [5, 6, 6, 6, 6, 7, 7, 6, 6, 6, 5, 5, 5],
                 {0: "ABM 消息广告 7/6 上线", 7: "目标客户回复率低于预期", 12: "差一点达成"}),
        *_series("KR3.2", weeks, [6, 7, 7, 7, 8, 8, 9, 9, 9, 9, 9, 9, 9], {2: "销售运营帮忙补齐了行业字段"},
                 values=[80, 150, 220, 300, 380, 450, 500, 520, 520, 520, 520, 520, 520]),
    ])


def _q4_checkins() -> list[dict]:
    weeks = _Q4_MONDAYS
    return _by_week([
        *_series("KR1.1", weeks, [6, 6, 7, 7, 7], {0: "国庆假期, 10 月第一周 SQL 偏少", 2: "CEO 批准 11-12 月追加预算, SQL 目标随之上调"}),
        *_series("KR1.2", weeks, [6, 6, 5, 5, 5], {2: "追加预算 11 月起投放, SQL 成本短期会上升", 4: "领英 ABM 单价上涨"}),
        *_series("KR1.3", weeks, [7, 7, 7, 6, 4],
                 {3: "10 月 MQL 转化正常", 4: "11 月 MQL 还没走完 1-3 周的 SQL 周期, 数据滞后; 销售跟进也变慢"}),
        *_series("KR2.1", weeks, [8, 8, 8, 8, 8], {0: "知乎圆桌 11 月上线, 有信心冲刺", 4: "快追上数客科技了"}),
        *_series("KR2.2", weeks, [7, 7, 7, 7, 8], {4: "回答挂载 demo 预约卡片后线索增加"}),
        *_series("KR3.1", weeks, [6, 7, 7, 7, 8], {1: "10/22 直播课报名 100+"}),
        # The case library's last check-in: its owner has not updated it since.
        *_series("KR3.2", weeks[:3], [5, 5, 4], {2: "客户法务审批慢, 多个案例卡住"}, values=[2, 4, 6]),
    ])


def _by_week(checkins: list[dict]) -> list[dict]:
    """As the team logs them: every Monday's check-ins together (the sort keeps KR order)."""
    return sorted(checkins, key=lambda c: c["date"])


def _week47_csv() -> str:
    rows = [
        ("KR1.1", 8, "11 月 SQL 节奏稳定, 有望达成上调后的目标"),
        ("KR1.2", 5, "关停低效 PMax 素材, 继续观察"),
        ("KR1.3", 4, "与销售复盘 SLA, 每日同步 MQL 跟进"),
        ("KR2.1", 8, "圆桌活动下周上线"),
        ("KR2.2", 8, "知乎线索稳定"),
        ("KR3.1", 8, "11/19 直播课报名已过 150"),
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["kr", "date", "confidence", "note"])
    writer.writerows([kr, _WEEK47.isoformat(), level, note] for kr, level, note in rows)
    return buffer.getvalue()


def _task(kr: str, title: str, owner: str, helpers: list[str], due: date, status: str, page: str) -> dict:
    return {"kr": kr, "title": title, "owner": owner, "helpers": helpers, "due": due, "status": status, "link": f"{_WIKI}/{page}"}


def _q3_tasks() -> list[dict]:
    return [
        _task("KR1.1", "与销售共同定义 SQL 标准并写入 HubSpot 生命周期", "刘洋", ["王芳", "孙磊"], date(2026, 7, 10), "done", "funnel/sql-definition"),
        _task("KR1.1", "直播课系列「营销自动化实战」隔周四开讲", "赵磊", ["李娜"], date(2026, 7, 16), "done", "events/webinar-series"),
        _task("KR1.2", "百度推广停投, 预算转向 Google 和领英", "张伟", ["王芳"], date(2026, 7, 1), "done", "paid/budget-2026-q3"),
        _task("KR1.3", "上线线索评分模型 v1 和 48 小时跟进 SLA", "刘洋", ["孙磊"], date(2026, 7, 31), "done", "funnel/lead-scoring-v1"),
        _task("KR2.1", "知乎机构号每周 3 篇高质量回答", "陈静", ["周敏"], date(2026, 9, 30), "done", "new-media/zhihu-playbook"),
        _task("KR2.1", "邀请 5 位行业 KOL 参加知乎圆桌", "陈静", [], date(2026, 9, 15), "blocked", "new-media/zhihu-roundtable"),
        _task("KR2.2", "专栏选题库与排期", "周敏", ["陈静"], date(2026, 7, 15), "done", "content/zhihu-column"),
        _task("KR3.1", "领英 ABM 消息广告上线 (Top 500 客户)", "张伟", ["刘洋"], date(2026, 7, 6), "done", "paid/abm-linkedin"),
        _task("KR3.2", "目标客户名单分层并同步给销售", "张伟", ["孙磊"], date(2026, 7, 20), "done", "abm/account-list"),
    ]


def _q4_tasks() -> list[dict]:
    return [
        _task("KR1.1", "11-12 月追加预算方案", "王芳", ["张伟"], date(2026, 10, 26), "done", "paid/budget-2026-q4"),
        _task("KR1.2", "关停 CPC 高于 15 元的关键词和低效 PMax 素材", "张伟", [], date(2026, 11, 20), "doing", "paid/search-cleanup"),
        _task("KR1.3", "线索评分模型 v2 (加入行为评分)", "刘洋", ["孙磊"], date(2026, 11, 30), "doing", "funnel/lead-scoring-v2"),
        _task("KR1.3", "SDR 每日同步 MQL 跟进进度", "刘洋", ["孙磊"], date(2026, 11, 25), "todo", "funnel/sdr-daily"),
        _task("KR2.1", "知乎圆桌「营销自动化的 2027」", "陈静", ["李娜"], date(2026, 11, 27), "doing", "new-media/zhihu-roundtable"),
        _task("KR2.1", "与 3 位行业 KOL 合作回答", "陈静", [], date(2026, 12, 10), "blocked", "new-media/zhihu-kol"),
        _task("KR2.2", "知乎回答挂载 demo 预约卡片", "陈静", ["刘洋"], date(2026, 10, 30), "done", "new-media/zhihu-lead-card"),
        _task("KR3.1", "直播课 10/22、11/5、11/19 三期", "赵磊", ["李娜"], date(2026, 11, 19), "done", "events/webinar-series"),
        _task("KR3.2", "采访 20 家标杆客户", "周敏", ["孙磊"], date(2026, 12, 15), "blocked", "content/customer-cases"),
        _task("KR3.2", "官网案例库页面上线", "周敏", ["李娜"], date(2026, 12, 20), "todo", "content/cases-page"),
    ]
