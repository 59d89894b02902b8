"""The OKR workbook: sheets Objectives, KeyResults, CheckIns and Tasks holding the OKR YAML's content.

``read_workbook`` returns exactly what ``yaml.safe_load`` gives for the same OKRs written as YAML,
so one validator serves both forms, plus the cell of every value so that validator can name it.
Meaning (unknown metric, duplicate ids, ranges) is checked there; this module only finds sheets and
headings, places key results under their objective and converts cell types. ``write_template``
writes an empty workbook to fill in, with drop-downs and an Instructions sheet.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from pipelines.errors import ConfigError

Location = tuple[str, int | None, str | None]  # (where, row, column) as a spreadsheet shows them

_TEXT, _CHOICE, _NUMBER, _DATE, _LIST = "text", "choice", "number", "date", "list"
_FILTERS = ("channel", "platform", "campaign", "region", "product")
_PLACEMENT = ("cycle", "objective")  # say where a row belongs; not keys of the row's own mapping


class _Sheet(NamedTuple):
    key: str  # the document key the rows go to
    english: str
    chinese: str
    required: tuple[str, ...]
    fields: tuple[tuple[str, str, str, str, str], ...]  # (field, Chinese heading, type, meaning, 说明)


def _filter(field: str, chinese: str) -> tuple[str, str, str, str, str]:
    return (field, chinese, _LIST, f"Optional filter: {field}s to count, separated by commas",
            f"可选筛选：只统计这些{chinese}，多个用逗号分隔")


_SHEETS = {sheet.key: sheet for sheet in (
    _Sheet("objectives", "Objectives", "目标", ("id", "title"), (
        ("cycle", "周期", _TEXT, "The OKR cycle, e.g. 2026-Q3; the same on every row", "OKR 周期，如 2026-Q3；每行相同"),
        ("id", "目标编号", _TEXT, "Objective id, e.g. O1; key results name it", "目标编号，如 O1；关键结果用它关联目标"),
        ("title", "目标", _TEXT, "What the objective sets out to achieve", "目标描述"),
        ("owner", "负责人", _TEXT, "Person or team accountable", "负责人或团队"),
        ("level", "层级", _CHOICE, "company, department, team or person", "公司、部门、团队或个人"),
        ("aligns_to", "对齐目标", _TEXT, "Optional: id of the parent objective it supports", "可选：所对齐的上级目标编号"),
    )),
    _Sheet("key_results", "KeyResults", "关键结果", ("objective", "id", "title"), (
        ("objective", "所属目标", _TEXT, "Id of the objective (Objectives sheet) this KR belongs to", "所属目标的编号（见目标表）"),
        ("id", "关键结果编号", _TEXT, "Key result id, e.g. KR1.1", "关键结果编号，如 KR1.1"),
        ("title", "关键结果", _TEXT, "What is measured, e.g. SQLs from 300 to 1000", "关键结果描述，如 SQL 从 300 增至 1000"),
        ("owner", "负责人", _TEXT, "Person accountable", "负责人"),
        ("metric", "指标", _TEXT, "Metric name from the drop-down; empty for kind manual", "从下拉列表选择指标；手动类型留空"),
        ("kind", "类型", _CHOICE, "total, level (a ratio or stock) or manual (progress from check-ins); empty: the metric's default",
         "累计、水平（比率或存量）或手动（进度来自打卡）；留空则按指标默认"),
        _filter("channel", "渠道"), _filter("platform", "平台"), _filter("campaign", "活动"),
        _filter("region", "地区"), _filter("product", "产品"),
        ("baseline", "基线", _NUMBER, "Value at the cycle's start, in the metric's unit", "周期开始时的值，使用指标的单位"),
        ("target", "目标值", _NUMBER, "Value to reach by the cycle's end, in the metric's unit", "周期结束时要达到的值，使用指标的单位"),
        ("weight", "权重", _NUMBER, "Optional weight among the objective's KRs, default 1", "可选，在目标内的权重，默认 1"),
        ("confidence", "信心指数", _NUMBER, "Optional initial confidence, a whole number 1-10", "可选，初始信心指数，1-10 的整数"),
        ("approved_by", "批准人", _TEXT, "Who approved the key result", "批准人"),
        ("revision_date", "修订日期", _DATE, "Date of the last change, YYYY-MM-DD", "最近修订日期，YYYY-MM-DD"),
    )),
    _Sheet("checkins", "CheckIns", "信心打卡", ("kr", "date", "confidence"), (
        ("kr", "关键结果编号", _TEXT, "Id of the key result", "关键结果编号"),
        ("date", "日期", _DATE, "Check-in date, YYYY-MM-DD", "打卡日期，YYYY-MM-DD"),
        ("confidence", "信心指数", _NUMBER, "Confidence this week, a whole number 1-10", "本周信心指数，1-10 的整数"),
        ("note", "备注", _TEXT, "Optional comment", "可选备注"),
        ("value", "进度值", _NUMBER, "Progress of a manual key result, in its unit", "手动类型关键结果的进度值"),
    )),
    _Sheet("tasks", "Tasks", "关键任务", ("kr", "title"), (
        ("kr", "关键结果编号", _TEXT, "Id of the key result the task serves", "任务服务的关键结果编号"),
        ("title", "任务", _TEXT, "The key task", "关键任务"),
        ("owner", "负责人", _TEXT, "Person doing it", "负责人"),
        ("helpers", "协作人", _LIST, "Collaborators, separated by commas", "协作人，多个用逗号分隔"),
        ("due", "截止日期", _DATE, "Due date, YYYY-MM-DD", "截止日期，YYYY-MM-DD"),
        ("status", "状态", _CHOICE, "todo, doing, done or blocked", "未开始、进行中、已完成或受阻"),
        ("link", "知识库链接", _TEXT, "Link to the result in the knowledge base", "知识库中的成果链接"),
    )),
    # Quarter-end sheets, read by `okrfunnel okrs scores`; `okrs load` ignores them.
    _Sheet("scores", "Scores", "评分", ("kr",), (
        ("kr", "关键结果编号", _TEXT, "Id of the key result scored", "被评分的关键结果编号"),
        ("self", "自评分", _NUMBER, "The owner's own score, 0-10", "负责人自评分，0-10"),
        ("committee", "委员会评分", _NUMBER, "The review committee's score, 0-10; it overrides the self score",
         "评审委员会评分，0-10；有则以其为准"),
        ("note", "评语", _TEXT, "Why this score", "评分说明"),
        ("by", "评分人", _TEXT, "Who gave the score", "评分人"),
        ("reason", "修改原因", _TEXT, "Needed to change a score once the cycle is closed", "周期关闭后修改评分须填写原因"),
    )),
    _Sheet("people", "People", "绩效", ("name",), (
        ("name", "姓名", _TEXT, "Person, as named as an owner", "姓名，与负责人写法一致"),
        ("values", "价值观评分", _NUMBER, "Values score, 0-10", "价值观评分，0-10"),
        ("review", "360评分", _NUMBER, "360 / routine work score, 0-10", "360 / 日常工作评分，0-10"),
        ("by", "评分人", _TEXT, "Who gave the scores", "评分人"),
        ("reason", "修改原因", _TEXT, "Needed to change a score once the cycle is closed", "周期关闭后修改评分须填写原因"),
    )),
    _Sheet("review", "Review", "复盘", ("section", "text"), (
        ("section", "类别", _CHOICE, "lesson or next_step", "经验教训或下一步"),
        ("text", "内容", _TEXT, "What the quarter taught, or what comes next", "本季度的经验教训，或下一步行动"),
        ("by", "提出人", _TEXT, "Who wrote it", "提出人"),
    )),
)}
_OPTIONAL = ("checkins", "tasks", "scores", "people", "review")  # an untouched optional sheet is as good as none
_SHEET_NAMES = {name.lower(): sheet for sheet in _SHEETS.values() for name in (sheet.english, sheet.chinese)}
_CHINESE_VALUES = {"累计": "total", "水平": "level", "手动": "manual", "公司": "company", "部门": "department",
                   "团队": "team", "个人": "person", "未开始": "todo", "进行中": "doing", "已完成": "done",
                   "受阻": "blocked", "经验教训": "lesson", "下一步": "next_step"}
_HINT = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")  # "target (目标值)" reads as "target"
_NUMBER_TEXT = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_SEPARATORS = re.compile(r"[,，、;；]")


class _Row(NamedTuple):
    location: Location  # the row's (where, row, None)
    cells: dict[str, tuple[Any, Location]]  # field -> (converted value, its cell), filled cells only


class _Table(NamedTuple):
    rows: list[_Row]
    labels: dict[str, str]  # field -> "heading (letter)", to name a column even where its cell is empty


def read_workbook(path: Path) -> tuple[dict, dict[tuple, Location]]:
    """Read an OKR workbook into the structure ``yaml.safe_load`` gives for the OKR YAML file.

    Args:
        path: the .xlsx file; never modified.

    Returns:
        ``(document, locations)``: the document as the YAML form would load, with the keys of empty
        cells left out; ``locations`` maps a path such as ``("objectives", 0, "key_results", 1, "target")``
        to its cell ``(where, row, column)``, and a row's path to ``(where, row, None)``.

    Raises:
        ConfigError: not a workbook, a missing sheet or heading, an unknown heading, objectives naming
            different cycles, or a key result whose objective is not on the Objectives sheet.
    """
    book = _open_workbook(path, "an .xlsx workbook")
    try:
        found = _worksheets(book, path)
        for key in ("objectives", "key_results"):
            if key not in found:
                sheet = _SHEETS[key]
                raise ConfigError(f"no {sheet.english} sheet", file=path.name,
                                  expected=f"a sheet named {sheet.english} or {sheet.chinese}")
        tables = {key: _read_table(_SHEETS[key], _sheet_rows(ws), f"{path.name}, sheet {ws.title}")
                  for key, ws in found.items()}
    finally:
        book.close()
    locations: dict[tuple, Location] = {}
    document: dict[str, Any] = {}
    if (cycle := _cycle(tables["objectives"], locations)) is not None:
        document["cycle"] = cycle
    document["objectives"] = objectives = [_record(row, ("objectives", i), locations)
                                           for i, row in enumerate(tables["objectives"].rows)]
    index: dict[str, int] = {}
    for i, objective in enumerate(objectives):
        if "id" in objective:
            index.setdefault(objective["id"], i)
    key_results = tables["key_results"]
    for row in key_results.rows:
        name, location = row.cells.get("objective", (None, (*row.location[:2], key_results.labels["objective"])))
        if name not in index:
            raise _error("the key result's objective is not on the Objectives sheet", location, value=name,
                         expected=f"an objective id from the Objectives sheet ({', '.join(index) or 'none yet'})")
        siblings = objectives[index[name]].setdefault("key_results", [])
        siblings.append(_record(row, ("objectives", index[name], "key_results", len(siblings)), locations))
    for key in ("checkins", "tasks"):
        if key in tables and tables[key].rows:
            document[key] = [_record(row, (key, k), locations) for k, row in enumerate(tables[key].rows)]
    return document, locations


def read_score_sheets(path: Path) -> tuple[dict, dict[tuple, Location]]:
    """Read the quarter-end sheets (Scores, People, Review) into the structure of the scores YAML.

    The cycle is the Objectives sheet's, so the team's one workbook carries its OKRs and, at
    quarter end, their scores.

    Returns:
        ``(document, locations)`` as ``read_workbook`` gives them: ``cycle``, ``scores``,
        ``people``, ``lessons`` and ``next_steps`` (each a list of ``{text, by}``).

    Raises:
        ConfigError: not a workbook, or a heading that is unknown or missing.
    """
    book = _open_workbook(path, "an .xlsx workbook")
    try:
        found = _worksheets(book, path)
        tables = {key: _read_table(_SHEETS[key], _sheet_rows(found[key]), f"{path.name}, sheet {found[key].title}")
                  for key in ("objectives", "scores", "people", "review") if key in found}
    finally:
        book.close()
    locations: dict[tuple, Location] = {}
    document: dict[str, Any] = {}
    if "objectives" in tables and (cycle := _cycle(tables["objectives"], locations)) is not None:
        document["cycle"] = cycle
    for key in ("scores", "people"):
        if key in tables:
            document[key] = [_record(row, (key, k), locations) for k, row in enumerate(tables[key].rows)]
    for row in tables["review"].rows if "review" in tables else ():
        section, location = row.cells.get("section", (None, (*row.location[:2], tables["review"].labels["section"])))
        key = {"lesson": "lessons", "next_step": "next_steps"}.get(section)
        if key is None:
            raise _error("unknown section", location, value=section, expected="lesson (经验教训) or next_step (下一步)")
        notes = document.setdefault(key, [])
        cells = {f: c for f, c in row.cells.items() if f != "section"}
        notes.append(_record(_Row(row.location, cells), (key, len(notes)), locations))
    return document, locations


def read_checkins(path: Path) -> tuple[list[dict], dict[tuple, Location]]:
    """Read check-ins on their own, from a .csv file or an .xlsx workbook.

    A CSV may be UTF-8 (with or without BOM) or GB18030; a workbook is read from its sheet named
    CheckIns or 信心打卡, else its first sheet. Headings and conversion are the CheckIns sheet's.

    Args:
        path: the file; never modified.

    Returns:
        ``(checkins, locations)`` with locations keyed ``("checkins", k)`` and ``("checkins", k, field)``.

    Raises:
        ConfigError: the file cannot be read or decoded, or a heading is unknown or missing.
    """
    if path.suffix.lower() == ".csv":
        where, rows = path.name, _csv_rows(path)
    else:
        book = _open_workbook(path, "a .csv file or an .xlsx workbook")
        try:
            sheet = _worksheets(book, path).get("checkins") or book.worksheets[0]
            where, rows = f"{path.name}, sheet {sheet.title}", _sheet_rows(sheet)
        finally:
            book.close()
    locations: dict[tuple, Location] = {}
    table = _read_table(_SHEETS["checkins"], rows, where)
    return [_record(row, ("checkins", k), locations) for k, row in enumerate(table.rows)], locations


def _open_workbook(path: Path, expected: str):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        # What openpyxl raises for a missing file, a non-zip, a zip that is no workbook, an old .xls.
        raise ConfigError(f"cannot read the file as a workbook ({exc})", file=path.name, expected=expected) from None


def _worksheets(book, path: Path) -> dict[str, Any]:
    """The workbook's OKR sheets by document key; other sheets (Instructions, Lists...) are ignored."""
    found: dict[str, Any] = {}
    for worksheet in book.worksheets:
        sheet = _SHEET_NAMES.get(worksheet.title.strip().lower())
        if sheet and sheet.key in found:
            raise ConfigError(f"two sheets hold the {sheet.english}: {found[sheet.key].title!r} and {worksheet.title!r}",
                              file=path.name, expected="one of them, the other renamed or deleted")
        if sheet:
            found[sheet.key] = worksheet
    return found


def _sheet_rows(worksheet) -> list[tuple[int, tuple]]:
    worksheet.reset_dimensions()  # some writers record a wrong used range: read every row there is
    return list(enumerate(worksheet.iter_rows(values_only=True), start=1))


def _csv_rows(path: Path) -> list[tuple[int, list[str]]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the file ({exc})", file=path.name) from None
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GB18030 unless asked for UTF-8
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ConfigError("cannot decode the file", file=path.name, expected="a CSV file in UTF-8 or GB18030")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, line = [], 0
    for values in reader:
        rows.append((line + 1, values))  # a quoted value may span lines: a record starts after the previous one
        line = reader.line_num
    return rows


def _read_table(sheet: _Sheet, rows: list[tuple[int, Any]], where: str) -> _Table:
    """The filled rows of a sheet whose first row holds the headings, cells converted by field type."""
    if sheet.key in _OPTIONAL and not any(_text(v) for _, values in rows for v in values):
        return _Table([], {})
    columns = _headings(sheet, rows[0][1] if rows else (), where)
    table = _Table([], {field: label for field, _, label in filter(None, columns)})
    missing = [field for field in sheet.required if field not in table.labels]
    if missing:
        wanted = ", ".join(f"{field} ({chinese})" for field, chinese, *_ in sheet.fields if field in missing)
        raise ConfigError(f"missing heading{'s' if len(missing) > 1 else ''} {wanted}", file=where, row=1,
                          expected=f"headings {', '.join(sheet.required)} in the first row")
    for number, values in rows[1:]:
        cells: dict[str, tuple[Any, Location]] = {}
        for index, raw in enumerate(values):
            column = columns[index] if index < len(columns) else None
            if column is None and _text(raw) is not None:
                raise ConfigError("a value in a column without heading", file=where, row=number,
                                  column=_letter(index), value=_text(raw), expected="a heading in the first row")
            if column is not None and (value := _convert(raw, column[1])) is not None:
                cells[column[0]] = (value, (where, number, column[2]))
        if cells:
            table.rows.append(_Row((where, number, None), cells))
    return table


def _headings(sheet: _Sheet, header: tuple, where: str) -> list[tuple[str, str, str] | None]:
    """(field, type, "heading (letter)") per column of the heading row; None where the heading is empty."""
    names = {name.lower(): (field, type_) for field, chinese, type_, *_ in sheet.fields for name in (field, chinese)}
    columns: list[tuple[str, str, str] | None] = []
    for index, raw in enumerate(header):
        if (text := _text(raw)) is None:
            columns.append(None)
            continue
        shown = _HINT.sub("", text) or text
        label, cell = f"{shown} ({_letter(index)})", f"{_letter(index)}1"
        field, type_ = names.get(re.sub(r"[\s-]+", "_", shown.lower()), (None, None))
        if field is None:
            accepted = ", ".join(f"{f} ({chinese})" for f, chinese, *_ in sheet.fields)
            raise ConfigError(f"unknown heading in cell {cell}", file=where, row=1, column=label, value=text,
                              expected=f"one of {accepted}")
        if earlier := next((c[2] for c in columns if c and c[0] == field), None):
            raise ConfigError(f"heading in cell {cell} repeats column {earlier}", file=where, row=1, column=label,
                              value=text, expected="each heading once")
        columns.append((field, type_, label))
    return columns


def _cycle(table: _Table, locations: dict[tuple, Location]) -> str | None:
    """The cycle the objectives name: several rows may repeat it, but they must agree."""
    cycle = None
    for row in table.rows:
        if "cycle" not in row.cells:
            continue
        value, location = row.cells["cycle"]
        if cycle is None:
            cycle, locations[("cycle",)] = value, location
        elif value != cycle:
            raise _error("the objectives name different cycles", location, value=value,
                         expected=f"the same cycle on every row ({cycle!r} in row {locations[('cycle',)][1]})")
    return cycle


def _record(row: _Row, path: tuple, locations: dict[tuple, Location]) -> dict:
    """One row as the YAML form's mapping; notes where the row and each of its values came from."""
    locations[path] = row.location
    record: dict[str, Any] = {}
    for field, (value, location) in row.cells.items():
        if field in _PLACEMENT:
            continue
        if field in _FILTERS:
            record.setdefault("filters", {})[field] = value
            locations[(*path, "filters", field)] = location
        else:
            record[field] = value
            locations[(*path, field)] = location
    return record


def _error(message: str, location: Location, **fields) -> ConfigError:
    return ConfigError(message, file=location[0], row=location[1], column=location[2], **fields)


def _letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index.

    >>> _letter(0), _letter(25), _letter(26), _letter(701)
    ('A', 'Z', 'AA', 'ZZ')
    """
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(raw: Any) -> str | None:
    """A cell as stripped text (None when empty); a number as written, a date as YYYY-MM-DD.

    >>> _text("  O1 "), _text(3.0), _text(1.1), _text(datetime(2026, 7, 6)), _text("  ")
    ('O1', '3', '1.1', '2026-07-06', None)
    """
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, datetime) and raw == datetime.combine(raw.date(), datetime.min.time()):
        raw = raw.date()
    return (raw.isoformat() if isinstance(raw, date) else str(raw)).strip() or None


def _convert(raw: Any, type_: str) -> Any:
    """The value a YAML author would have written for this cell; None when the cell is empty.

    What does not convert stays the text it is, for the validator to reject with its location.

    >>> _convert(" 1,000 ", "number"), _convert(12.5, "number"), _convert(300.0, "number"), _convert("lots", "number")
    (1000, 12.5, 300, 'lots')
    >>> _convert("2026/7/6", "date"), _convert("2026-02-30", "date"), _convert("next week", "date")
    (datetime.date(2026, 7, 6), '2026-02-30', 'next week')
    >>> _convert("paid_search， email、 ", "list"), _convert("已完成", "choice"), _convert("done ", "choice")
    (['paid_search', 'email'], 'done', 'done')
    """
    if type_ == _NUMBER and isinstance(raw, int | float) and not isinstance(raw, bool):
        return int(raw) if float(raw).is_integer() else raw
    if type_ == _DATE and isinstance(raw, date):
        return raw.date() if isinstance(raw, datetime) else raw
    text = _text(raw)
    if text is None:
        return None
    if type_ == _NUMBER and _NUMBER_TEXT.fullmatch(text):
        number = float(text.replace(",", ""))
        return int(number) if number.is_integer() else number
    if type_ == _DATE and (match := _DATE_TEXT.fullmatch(text)):
        try:
            return date(*map(int, match.groups()))
        except ValueError:
            return text
    if type_ == _LIST:
        return [item.strip() for item in _SEPARATORS.split(text) if item.strip()] or None
    if type_ == _CHOICE:
        return _CHINESE_VALUES.get(text, text)
    return text


# --- The template ----------------------------------------------------------------------------------

_TEMPLATE_ROWS = 500  # rows that get drop-downs and checks
_WIDTHS = {"title": 48, "note": 36, "link": 36, "helpers": 24, "channel": 28, "kind": 12}
_IN_CHINESE = {english: chinese for chinese, english in _CHINESE_VALUES.items()}
_NOTES = (
    ("One row per objective, key result, check-in or task. Replace the example rows with your own.",
     "每行一个目标、关键结果、信心打卡或关键任务。请用自己的内容替换示例行。"),
    ("At quarter end, fill in Scores, People and Review and load them with `okrfunnel okrs scores` (okrs load ignores them).",
     "季度末填写评分、绩效和复盘表，用 `okrfunnel okrs scores` 导入（okrs load 不读取这三张表）。"),
    ("Headings and sheet names may be in English or Chinese; extra sheets such as this one are ignored.",
     "表头和工作表名可用英文或中文；本说明页等其他工作表不会被读取。"),
    ("A key result names its objective's id; a check-in or task names its key result's id.",
     "关键结果填写所属目标编号；信心打卡和关键任务填写关键结果编号。"),
    ("Confidence is a whole number from 1 (will surely miss) to 10 (sure to achieve), updated weekly.",
     "信心指数为 1（肯定达不成）到 10（肯定达成）的整数，每周更新。"),
    ("Baseline, target and progress values are in the metric's unit (a count, an amount, a ratio...).",
     "基线、目标值和进度值使用指标的单位（数量、金额、比率等）。"),
    ("Dates as YYYY-MM-DD. Lists (filters, helpers) separated by commas.", "日期格式为 YYYY-MM-DD。多个值（筛选、协作人）用逗号分隔。"),
)
_EXAMPLES = {  # (English, Chinese) where the template's language changes the example's words
    "objectives": [{"cycle": "2026-Q3", "id": "O1", "level": "department", "owner": ("Marketing", "市场部"),
                    "title": ("Make marketing the main source of qualified pipeline", "让市场部成为合格商机的主要来源")}],
    "key_results": [{"objective": "O1", "id": "KR1.1", "title": ("SQLs this quarter from 300 to 1000", "本季度 SQL 从 300 增至 1000"),
                     "owner": ("Wang Fang", "王芳"), "metric": "sqls", "kind": "total", "baseline": 300, "target": 1000,
                     "weight": 1, "confidence": 5}],
    "checkins": [{"kr": "KR1.1", "date": date(2026, 7, 6), "confidence": 7, "note": ("first campaigns live", "首批投放已上线")}],
    "tasks": [{"kr": "KR1.1", "title": ("Launch the webinar series", "启动线上研讨会系列"), "owner": ("Wang Fang", "王芳"),
               "helpers": ("Li Na, Zhang Wei", "李娜、张伟"), "due": date(2026, 7, 31), "status": "done",
               "link": "https://wiki.example.com/webinar"}],
    "scores": [{"kr": "KR1.1", "self": 8, "committee": 7, "note": ("webinars carried the quarter", "研讨会贡献最大"),
                "by": ("Review committee", "评审委员会")}],
    "people": [{"name": ("Wang Fang", "王芳"), "values": 9, "review": 8, "by": ("HR", "人力资源部")}],
    "review": [{"section": "lesson", "text": ("Webinars convert best", "研讨会转化率最高"), "by": ("Wang Fang", "王芳")},
               {"section": "next_step", "text": ("Double the webinar cadence", "研讨会频率翻倍"), "by": ("Wang Fang", "王芳")}],
}


def write_template(path: Path, *, metrics: list[str], kinds: list[str], levels: list[str],
                   statuses: list[str], channels: list[str], language: str = "en") -> None:
    """Write an OKR workbook to fill in: instructions, one example row per sheet, drop-downs.

    The example rows form a valid cycle 2026-Q3, so the template reads back with ``read_workbook``.

    Args:
        path: the .xlsx file to write (replaced if it exists).
        metrics: metric names offered in the KeyResults metric drop-down.
        kinds: KR kinds (total, level, manual); levels: objective levels; statuses: task statuses.
        channels: channels offered for the KeyResults channel filter.
        language: ``"en"`` for English headings and sheet names, ``"zh"`` for Chinese ones (and Chinese
            kind, level and status values in drop-downs and examples).

    Raises:
        ConfigError: an unknown language.
    """
    import xlsxwriter

    if language not in ("en", "zh"):
        raise ConfigError("unknown template language", value=language, expected="en or zh")
    zh = language == "zh"

    def shown(value: str) -> str:
        return _IN_CHINESE.get(value, value) if zh else value

    book = xlsxwriter.Workbook(path)
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    instructions = book.add_worksheet("说明" if zh else "Instructions")
    sheets = [(sheet, book.add_worksheet(sheet.chinese if zh else sheet.english)) for sheet in _SHEETS.values()]
    _write_instructions(instructions, bold, book.add_format({"text_wrap": True, "valign": "top"}))
    # Drop-down values live on a hidden sheet: an inline list is limited to 255 characters.
    lists, sources = book.add_worksheet("Lists"), {}
    choices = {"metric": metrics, "kind": kinds, "level": levels, "status": statuses, "channel": channels,
               "section": ["lesson", "next_step"]}
    for col, (field, values) in enumerate(choices.items()):
        lists.write(0, col, field, bold)
        lists.write_column(1, col, [shown(v) for v in values])
        if values:
            sources[field] = f"=Lists!${_letter(col)}$2:${_letter(col)}${len(values) + 1}"
    lists.hide()
    for sheet, worksheet in sheets:
        worksheet.freeze_panes(1, 0)
        for col, (field, chinese, type_, *_) in enumerate(sheet.fields):
            heading = chinese if zh else field
            worksheet.write(0, col, heading, bold)
            width = max(_WIDTHS.get(field, 14), len(heading) * (2 if zh else 1) + 4)
            worksheet.set_column(col, col, width, dates if type_ == _DATE else None)
            if rule := _validation(field, type_, sources):
                worksheet.data_validation(1, col, _TEMPLATE_ROWS, col, rule)
            for row, example in enumerate(_EXAMPLES[sheet.key], start=1):
                value = example.get(field)
                value = value[zh] if isinstance(value, tuple) else value
                if value is not None:
                    worksheet.write(row, col, shown(value) if type_ == _CHOICE else value,
                                    dates if type_ == _DATE else None)
    book.close()


def _validation(field: str, type_: str, sources: dict[str, str]) -> dict | None:
    if field in sources:
        rule = {"validate": "list", "source": sources[field]}
        if field == "channel":  # a cell may name several channels, which a strict list check would refuse
            rule |= {"error_type": "information",
                     "error_message": "Several channels? Separate them with commas. 多个渠道请用逗号分隔。"}
        return rule
    if field == "confidence":
        return {"validate": "integer", "criteria": "between", "minimum": 1, "maximum": 10,
                "error_message": "A whole number from 1 to 10. 请填写 1-10 的整数。"}
    if type_ == _DATE:
        return {"validate": "date", "criteria": "between", "minimum": date(2000, 1, 1),
                "maximum": date(2099, 12, 31), "error_message": "A date, YYYY-MM-DD. 请填写日期（YYYY-MM-DD）。"}
    return None


def _write_instructions(worksheet, bold, wrap) -> None:
    worksheet.set_column(0, 1, 26)
    worksheet.set_column(2, 3, 70, wrap)
    worksheet.write_row(0, 0, ("Sheet 工作表", "Column 列", "How to fill it", "填写说明"), bold)
    for row, (english, chinese) in enumerate(_NOTES, start=1):
        worksheet.write_row(row, 0, ("All sheets / 所有工作表", "", english, chinese))
    row = len(_NOTES) + 2
    for sheet in _SHEETS.values():
        for field, chinese, _, meaning, meaning_zh in sheet.fields:
            worksheet.write_row(row, 0, (f"{sheet.english} / {sheet.chinese}", f"{field} / {chinese}", meaning, meaning_zh))
            row += 1
