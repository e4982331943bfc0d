"""The demo campaign: 大理州 2022「项目攻坚年」, generated from a fixed seed (random.Random(2022)).

``load_demo(session)`` loads it once into an empty store (a Setting row ``demo_loaded`` marks it; a
second call changes nothing and returns False). ``is_demo(session)`` tells whether it is loaded.

Everything here is fictional except the place names and county codes: the projects, companies,
leaders, staff and figures are invented. The generator decides a *profile* for every annual project
(green, or yellow/red for one named reason) and then writes reports that make the DESIGN.md rules
give that light at 2022-10, so that the demo shows every colour and every red reason:
late starts, lagging progress, missing reports, 入库 lag, slow fund payment, overdue problems and
连续3个月黄灯 persistence. Reserve projects are gray.

Demo accounts (demo only!): ``leader``, ``office``, ``admin`` and ``staff-<县区代码>`` for every
region, all with the password ``demo12345``.
"""
from __future__ import annotations

import calendar
import datetime as dt
import json
import math
import random
from pathlib import Path

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from lib import DATA_DIR, geo
from lib.errors import CockpitError
from lib.rules import shared
from lib.store import audit
from lib.store.models import (
    Approval,
    MonthlyPlan,
    MonthlyReport,
    Problem,
    ProblemEvent,
    Project,
    ProjectEvent,
    ProjectYear,
    Region,
    RegionStat,
    RegionTarget,
    Setting,
    User,
)

SEED = 2022
YEAR = 2022
LAST_MONTH = 10  # reports Jan–Oct 2022; the demo "today" is 2022-10-31
AS_OF = dt.date(2022, 10, 31)
DEMO_KEY = "demo_loaded"
DEMO_PASSWORD = "demo12345"
CAMPAIGN = "大理州2022年“项目攻坚年”"
COUNTIES_FILE = DATA_DIR / "geo" / "dali_counties.geojson"
PARK_CODE = "532971"
PARK_POINT = (100.265, 25.575)  # lon, lat: 大理经开区, south-east of 下关 (inside 大理市)

# code, name, kind, short name used in project names, a few towns
REGIONS = [
    ("532901", "大理市", "city", "大理市", ["下关", "凤仪", "喜洲", "海东", "银桥", "湾桥"]),
    ("532922", "漾濞彝族自治县", "county", "漾濞县", ["苍山西", "平坡", "顺濞", "鸡街"]),
    ("532923", "祥云县", "county", "祥云县", ["祥城", "刘厂", "云南驿", "下庄", "米甸"]),
    ("532924", "宾川县", "county", "宾川县", ["金牛", "宾居", "州城", "力角", "平川"]),
    ("532925", "弥渡县", "county", "弥渡县", ["弥城", "红岩", "新街", "寅街"]),
    ("532926", "南涧彝族自治县", "county", "南涧县", ["南涧", "宝华", "公郎", "无量山"]),
    ("532927", "巍山彝族回族自治县", "county", "巍山县", ["南诏", "庙街", "大仓", "永建"]),
    ("532928", "永平县", "county", "永平县", ["博南", "杉阳", "龙街", "北斗"]),
    ("532929", "云龙县", "county", "云龙县", ["诺邓", "漕涧", "功果桥", "宝丰"]),
    ("532930", "洱源县", "county", "洱源县", ["茈碧湖", "邓川", "右所", "凤羽"]),
    ("532931", "剑川县", "county", "剑川县", ["金华", "沙溪", "甸南", "老君山"]),
    ("532932", "鹤庆县", "county", "鹤庆县", ["草海", "辛屯", "松桂", "西邑"]),
    (PARK_CODE, "大理经开区", "park", "大理经开区", ["满江", "上登", "凤仪"]),
]
# relative number of projects per region
REGION_WEIGHT = {"532901": 40, "532922": 18, "532923": 32, "532924": 25, "532925": 20, "532926": 18,
                 "532927": 20, "532928": 18, "532929": 20, "532930": 22, "532931": 17, "532932": 22,
                 PARK_CODE: 28}
# FAI growth targets 2022 (%) — 全州 10%
TARGETS = {"532901": 12.0, "532922": 8.0, "532923": 15.0, "532924": 10.0, "532925": 9.0,
           "532926": 7.0, "532927": 9.0, "532928": 6.0, "532929": 8.0, "532930": 11.0,
           "532931": 7.0, "532932": 10.0, PARK_CODE: 15.0}
# FAI cumulative growth at 2022-10 (%): some below 0, some above target
FINAL_GROWTH = {"532901": 13.6, "532922": 5.1, "532923": 17.2, "532924": 10.4, "532925": 6.3,
                "532926": -2.4, "532927": 9.5, "532928": -0.8, "532929": 3.2, "532930": 11.8,
                "532931": 7.4, "532932": 8.1, PARK_CODE: 18.9}

LEADERS = ["张明(副州长)", "李建华(州委常委、常务副州长)", "王志强(副州长)", "赵丽(副州长)",
           "杨洪波(州委常委)", "段文斌(副州长)", "刘晓东(州人大常委会副主任)", "陈静(州政协副主席)",
           "周勇(副州长)", "何春林(州委常委)"]
SURNAMES = "李王张杨赵段刘陈周何字苏尹杜罗施董黄"
GIVEN = ["娜", "磊", "敏", "伟", "静", "洁", "涛", "芳", "强", "燕", "晨", "丽", "波", "琳", "勇", "娟",
         "海燕", "建国", "文华", "晓红", "云飞", "志刚", "丽萍", "春梅", "国庆", "永平", "雪梅", "红英"]

# sector -> (code for the project code, industrial share, name templates, responsible bureau, owner kinds)
SECTORS = {
    "交通": ("01", 0.0, ["{c}{t}至{t2}公路改扩建工程", "{c}农村公路提升改造工程", "{c}{t}客运综合枢纽建设项目",
                       "{c}城区至{t}快速通道工程", "{c}{t}互通立交及连接线工程"], "交通运输局", "交通建设投资有限公司"),
    "水利": ("02", 0.0, ["{c}{t}水库工程", "{c}{t}灌区续建配套与节水改造项目", "{c}城乡供水一体化工程",
                       "{c}中小河流治理工程", "{c}病险水库除险加固工程"], "水务局", "水务产业投资有限公司"),
    "能源": ("03", 1.0, ["{c}{t}风电场项目", "{c}{t}光伏发电项目", "{c}农光互补光伏电站", "{c}{t}220千伏输变电工程",
                       "{c}天然气支线管道工程"], "发展和改革局", "新能源开发有限公司"),
    "产业(工业)": ("04", 1.0, ["{c}新能源电池材料产业园", "{c}绿色硅材料加工项目", "{c}食品加工产业园建设项目",
                           "{c}高原特色农产品精深加工项目", "{c}生物医药产业园标准厂房", "{c}工业园区标准化厂房建设项目",
                           "{c}乳制品加工扩建项目", "{c}核桃精深加工项目", "{c}装备制造产业园建设项目"],
                "工业信息化和商务科技局", "实业有限公司"),
    "文旅": ("05", 0.4, ["{c}{t}旅游度假区建设项目", "{c}{t}古镇保护与开发项目", "{c}{t}半山酒店建设项目",
                       "{c}{t}景区提升改造工程", "{c}文化旅游综合体建设项目"], "文化和旅游局", "文化旅游开发有限公司"),
    "城建": ("06", 0.0, ["{c}老旧小区改造项目", "{c}{t}片区城市更新项目", "{c}保障性租赁住房项目",
                       "{c}城市污水管网建设工程", "{c}城市道路提升改造工程", "{c}智慧停车建设项目"],
            "住房和城乡建设局", "城市建设投资有限公司"),
    "社会民生": ("07", 0.0, ["{c}人民医院门急诊综合楼建设项目", "{c}第一中学扩建项目", "{c}职业教育中心建设项目",
                         "{c}养老服务中心建设项目", "{c}疾病预防控制中心建设项目", "{c}全民健身中心建设项目"],
              "卫生健康局", "城市建设投资有限公司"),
    "农业": ("08", 0.4, ["{c}高标准农田建设项目", "{c}水果冷链物流中心", "{c}{t}蔬菜产业示范园",
                        "{c}肉牛养殖基地建设项目", "{c}{t}花卉产业园建设项目", "{c}烤烟基础设施建设项目"],
            "农业农村局", "农业发展有限公司"),
    "生态环保": ("09", 0.0, ["{c}生活垃圾焚烧发电项目", "{c}乡镇污水处理厂及配套管网工程", "{c}矿山生态修复工程",
                         "{c}水土流失综合治理项目", "{c}{t}湿地保护修复工程"], "生态环境局", "环境治理有限公司"),
    "数字经济": ("10", 1.0, ["{c}数字经济产业园", "{c}5G基站建设项目", "{c}智慧城市建设项目", "{c}数据中心建设项目",
                         "{c}数字乡村建设项目"], "工业信息化和商务科技局", "数字科技有限公司"),
    "商贸物流": ("11", 0.7, ["{c}现代物流园区建设项目", "{c}农产品批发市场建设项目", "{c}{t}商贸综合体项目"],
              "工业信息化和商务科技局", "商贸物流有限公司"),
}
SECTOR_WEIGHT = {"交通": 11, "水利": 10, "能源": 10, "产业(工业)": 16, "文旅": 10, "城建": 11, "社会民生": 9,
                 "农业": 9, "生态环保": 7, "数字经济": 4, "商贸物流": 3}
PARK_SECTORS = {"产业(工业)": 10, "能源": 2, "数字经济": 3, "商贸物流": 2, "城建": 1}
SPECIAL_NAMES = {  # a few hand-written names that the plan itself suggests
    "532901": [("生态环保", "大理市洱海流域截污治污提升工程"), ("文旅", "大理市喜洲古镇保护提升工程")],
    "532923": [("产业(工业)", "祥云县新能源电池材料产业园(一期)")],
    "532924": [("农业", "宾川县水果冷链物流中心")],
    "532930": [("生态环保", "洱源县洱海源头湿地保护修复工程")],
}
TAGS = ["六新", "两新一重", "招商引资", "十四五重大项目", "一把手工程", "民间投资"]
LEVEL_WEIGHTS = [("provincial", 10), ("municipal", 28), ("county", 42), ("general", 20)]

PROBLEM_TEXT = {
    "land": ["项目用地指标未落实,用地报批尚未完成", "土地组卷报批进度慢,影响开工"],
    "demolition": ["征地拆迁涉及{n}户尚未签订协议", "青苗及地上附着物补偿标准存在分歧"],
    "planning": ["规划选址与国土空间规划衔接未完成", "建设工程规划许可办理滞后"],
    "eia": ["环评报告需补充洱海保护相关内容", "环评批复尚未取得"],
    "energy": ["能耗指标不足,节能审查未通过"],
    "funds": ["专项债资金到位滞后", "项目资本金未足额到位", "中央预算内资金拨付进度慢"],
    "approval": ["施工许可证办理滞后", "使用林地手续尚未办结", "水土保持方案批复未取得"],
    "utilities": ["施工用电线路尚未接入", "供水管网配套未完成", "天然气管道接入滞后"],
    "construction": ["施工单位人员设备投入不足", "雨季影响土石方施工", "地质条件复杂,桩基施工进度慢"],
    "other": ["企业资金链紧张,投资意愿下降", "周边群众诉求未化解,存在阻工"],
}
PROBLEM_UNITS = {
    "land": "自然资源局", "demolition": "{t}镇人民政府", "planning": "自然资源局", "eia": "生态环境局",
    "energy": "发展和改革局", "funds": "财政局", "approval": "住房和城乡建设局", "utilities": "供电局",
    "construction": "住房和城乡建设局", "other": "发展和改革局",
}
MEASURES = {
    "land": "县级领导牵头,加快组卷报批,10日一调度", "demolition": "成立工作专班,逐户做好群众工作",
    "planning": "协调自然资源部门加快规划调整", "eia": "督促业主补充完善环评报告,提前对接审批部门",
    "energy": "积极争取州级能耗指标统筹", "funds": "加快资金拨付,督促业主落实资本金",
    "approval": "实行容缺受理、并联审批", "utilities": "协调供电、供水企业加快配套建设",
    "construction": "督促施工单位增加人员设备投入,倒排工期", "other": "召开专题协调会,逐项研究解决",
}
VARIANCE = ["受征地拆迁进度影响,施工作业面不足", "雨季施工受阻,土石方工程进度滞后", "资金到位不足,进度滞后",
            "用地报批未完成,部分工程未能实施", "主要设备供货延迟", "受疫情防控影响,施工人员到岗不足"]

# profiles of annual projects at 2022-10 and how many of each (of ~250 annual projects)
PROFILE_COUNTS = {
    "Y_progress": 20, "Y_start": 6, "Y_reporting": 7, "Y_stats": 7, "Y_funds": 8, "Y_problems": 7,
    "R_start": 6, "R_progress": 9, "R_reporting": 5, "R_stats": 5, "R_funds": 5, "R_problems": 5,
    "R_persist": 6,
}
NEW_ONLY = {"Y_start", "Y_stats", "R_start", "R_stats"}
NO_FUNDS = {"Y_start", "R_start", "Y_reporting", "R_reporting"}


# --------------------------------------------------------------------------- public API


def is_demo(session: Session) -> bool:
    """True when the demo campaign has been loaded into this store."""
    return session.get(Setting, DEMO_KEY) is not None


def load_demo(session: Session) -> bool:
    """Load the demo campaign once. Returns True when loaded now, False when it was already there.

    Refuses (CockpitError) a store that already holds other regions or projects."""
    if is_demo(session):
        return False
    if session.scalar(select(func.count()).select_from(Project)) or \
            session.scalar(select(func.count()).select_from(Region)):
        raise CockpitError("err_demo_not_empty")
    data = generate()
    _write(session, data)
    return True


# --------------------------------------------------------------------------- generation


def _month_days(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _rand_date(rng: random.Random, year: int, month: int, lo: int = 1, hi: int | None = None) -> dt.date:
    hi = min(hi or _month_days(year, month), _month_days(year, month))
    return dt.date(year, month, rng.randint(lo, hi))


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _period(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}"


def load_counties(path: Path = COUNTIES_FILE) -> dict[str, dict]:
    """code → simplified geometry of the shipped county file."""
    fc = geo.load_geojson(path)
    return {f["properties"]["code"]: f["geometry"] for f in geo.features(fc)}


def _sample_points(rng: random.Random, n: int, geom: dict, centre: tuple[float, float],
                   spread: float) -> list[tuple[float, float]]:
    """n points inside ``geom``, clustered around ``centre`` (rejection sampling)."""
    out: list[tuple[float, float]] = []
    while len(out) < n:
        cand = [(centre[0] + rng.gauss(0, spread), centre[1] + rng.gauss(0, spread * 0.9)) for _ in range(4 * n)]
        inside = geo.points_in_geometry([c[0] for c in cand], [c[1] for c in cand], geom)
        out.extend((round(x, 6), round(y, 6)) for (x, y), ok in zip(cand, inside) if ok)
    return out[:n]


def _expected(plan_fracs: list[float] | None, s0: int, m: int) -> float:
    """Expected fraction of the annual plan at month m: the one rule of lib.rules.shared (exact, not
    rounded: the generator aims at it), the plan given as fractions of an annual plan of 1."""
    plan_months = dict(enumerate(plan_fracs, start=1)) if plan_fracs is not None else None
    cum = shared.plan_cumulative(m, *shared.plan_neighbours(plan_months, m)) if plan_months else 0.0
    return float(shared.expected_share(m, s0, plan_months is not None, cum, 1.0))


def _gap_path(rng: random.Random, profile: str, has_plan: bool) -> list[float]:
    """Target gap (points) for months 1..10."""
    g = [0.0] * LAST_MONTH
    cur = rng.uniform(-4, 7)
    for i in range(LAST_MONTH):
        cur = min(8.0, max(-7.0, cur + rng.uniform(-3.5, 3.5)))
        g[i] = cur
    if profile == "Y_progress":
        if has_plan or rng.random() < 0.5:  # yellow in Aug, green in Sep, yellow in Oct
            g[6] = rng.uniform(-6.5, -5)
            g[7] = g[6] - rng.uniform(6.5, 7.5)
            g[8] = rng.uniform(-8, -6.5)
            g[9] = g[8] - rng.uniform(4.5, 6.5)
        else:  # green in Aug, yellow in Sep and Oct
            g[7], g[8], g[9] = rng.uniform(-6, -5), rng.uniform(-13.5, -12.5), rng.uniform(-20, -16)
    elif profile == "R_persist":  # yellow from June on
        for i in range(5, LAST_MONTH):
            g[i] = rng.uniform(-25, -14)
    elif profile == "R_progress":  # falls behind steadily from March
        end = rng.uniform(-45, -34)
        start = g[1]
        for i in range(2, LAST_MONTH):
            g[i] = start + (end - start) * (i - 1) / (LAST_MONTH - 2)
    return g


def generate(seed: int = SEED) -> dict:
    """All demo rows as plain dicts (deterministic for a seed)."""
    rng = random.Random(seed)
    counties = load_counties()
    regions, targets, stats = [], [], []
    for order, (code, name, kind, _short, _towns) in enumerate(REGIONS, start=1):
        geom = counties.get(code)
        if geom is not None:
            lon, lat = geo.centroid(geom)
        else:
            lon, lat = PARK_POINT
        regions.append({"code": code, "name": name, "kind": kind, "display_order": order,
                        "lon": round(lon, 6), "lat": round(lat, 6),
                        "boundary": geo.dumps(geom) if geom is not None else None})
        targets.append({"region_code": code, "year": YEAR, "growth_target": TARGETS[code]})
        final = FINAL_GROWTH[code]
        first = final + rng.uniform(-9, 9)
        for m in range(1, LAST_MONTH + 1):
            w = (LAST_MONTH - m) / (LAST_MONTH - 1)
            val = final + (first - final) * w + (rng.uniform(-1.2, 1.2) if m < LAST_MONTH else 0)
            stats.append({"region_code": code, "period": _period(YEAR, m), "growth": round(val, 1)})

    # ---- projects
    total_w = sum(REGION_WEIGHT.values())
    n_target = 300
    per_region = {c: max(8, round(n_target * w / total_w)) for c, w in REGION_WEIGHT.items()}
    projects: list[dict] = []
    used_names: set[str] = set()
    used_seq: set[int] = set()
    region_info = {r[0]: r for r in REGIONS}
    for code, count in per_region.items():
        _c, rname, kind, short, towns = region_info[code]
        sector_w = PARK_SECTORS if kind == "park" else SECTOR_WEIGHT
        specials = list(SPECIAL_NAMES.get(code, []))
        for i in range(count):
            if specials:
                sector, name = specials.pop(0)
            else:
                sector = rng.choices(list(sector_w), weights=list(sector_w.values()))[0]
                tpl = rng.choice(SECTORS[sector][2])
                t, t2 = rng.sample(towns, 2) if len(towns) > 1 else (towns[0], towns[0])
                name = tpl.format(c=short, t=t, t2=t2)
            base = name
            for phase in ("(一期)", "(二期)", "(三期)", "(四期)"):
                if name not in used_names:
                    break
                name = base + phase
            k = 2
            while name in used_names:
                k += 1
                name = f"{base}({k})"
            used_names.add(name)
            projects.append({"region_code": code, "name": name, "sector": sector, "short": short,
                             "towns": towns})

    rng.shuffle(projects)
    n = len(projects)
    n_reserve = round(n * 0.17)
    annual_idx = list(range(n_reserve, n))
    reserve_idx = list(range(n_reserve))
    # nature: ~45% of annual projects are new
    n_new = round(len(annual_idx) * 0.45)
    new_set = set(annual_idx[:n_new])
    # profiles
    profiles: dict[int, str] = {i: "G" for i in annual_idx}
    new_pool = [i for i in annual_idx if i in new_set]
    cont_pool = [i for i in annual_idx if i not in new_set]
    rng.shuffle(new_pool)
    rng.shuffle(cont_pool)
    for prof, cnt in PROFILE_COUNTS.items():
        pool = new_pool if prof in NEW_ONLY else (cont_pool if rng.random() < 0.6 and cont_pool else new_pool)
        for _ in range(cnt):
            if not pool:
                pool = new_pool if pool is cont_pool else cont_pool
            profiles[pool.pop()] = prof

    leaders_by_region = {c: rng.sample(LEADERS, 2) for c in REGION_WEIGHT}
    years: list[dict] = []
    plans: list[dict] = []
    reports: list[dict] = []
    points_needed: dict[str, int] = {}
    for p in projects:
        points_needed[p["region_code"]] = points_needed.get(p["region_code"], 0) + 1
    points: dict[str, list] = {}
    for code, cnt in points_needed.items():
        if code == PARK_CODE:
            points[code] = _sample_points(rng, cnt, counties["532901"], PARK_POINT, 0.012)
        else:
            geom = counties[code]
            points[code] = _sample_points(rng, cnt, geom, geo.centroid(geom), 0.09)

    project_rows: list[dict] = []
    meta: dict[str, dict] = {}  # per project code: profile etc. (for problems)
    for idx, p in enumerate(projects):
        code_r = p["region_code"]
        sector = p["sector"]
        sec_code, ind_share, _tpls, bureau, owner_kind = SECTORS[sector]
        industrial = rng.random() < ind_share
        total = math.exp(rng.gauss(math.log(18000), 1.15))
        total = round(min(500000, max(1000, total)) / 10) * 10
        level = rng.choices([lv for lv, _ in LEVEL_WEIGHTS], weights=[w for _, w in LEVEL_WEIGHTS])[0]
        if total > 150000:
            level = "provincial"
        elif total > 50000 and level in ("county", "general"):
            level = "municipal"
        elif total < 3000 and level == "provincial":
            level = "county"
        is_reserve = idx in reserve_idx
        is_new = idx in new_set
        prof = "gray" if is_reserve else profiles[idx]
        # dates
        if is_reserve:
            ps = dt.date(2023, rng.randint(1, 12), 1)
            planned_start, actual_start = ps, None
        elif is_new:
            if prof in ("Y_start",):
                sm = 9
            elif prof in ("R_start",):
                sm = rng.randint(3, 7)
            elif prof == "Y_stats":
                sm = 8
            elif prof == "R_stats":
                sm = rng.randint(3, 7)
            elif prof in ("Y_progress", "R_progress", "R_persist"):
                sm = rng.choices([1, 2, 3, 4, 5, 6], weights=[2, 3, 4, 4, 3, 2])[0]
            else:
                sm = rng.choices(range(1, 10), weights=[3, 4, 7, 8, 7, 6, 4, 3, 2])[0]
            planned_start = _rand_date(rng, YEAR, sm, 1, 28)
            actual_start = None if prof in ("Y_start", "R_start") else _rand_date(rng, YEAR, sm, 1, 28)
        else:
            sy = rng.choice([2019, 2020, 2021, 2021, 2021])
            planned_start = _rand_date(rng, sy, rng.randint(2, 11), 1, 28)
            actual_start = planned_start + dt.timedelta(days=rng.randint(0, 40))
        years_long = 1 + (1 if total > 20000 else 0) + (1 if total > 100000 else 0) + rng.randint(0, 1)
        planned_end = dt.date(planned_start.year + years_long, rng.randint(1, 12), 28)
        if not is_reserve and planned_end.year < YEAR:
            planned_end = dt.date(YEAR, 12, 31)
        # policy funds
        funds = {"central_budget": None, "special_bond": None, "treasury_bond": None}
        want_funds = prof in ("Y_funds", "R_funds") or (
            not is_reserve and prof not in NO_FUNDS and (not is_new or planned_start.month <= 4)
            and rng.random() < 0.36)
        if is_reserve and rng.random() < 0.1:
            want_funds = True
        if want_funds:
            src = rng.choices(["central_budget", "special_bond", "treasury_bond", "both"], weights=[4, 5, 1, 2])[0]
            amt = round(total * rng.uniform(0.05, 0.3) / 10) * 10 or 100
            if src == "both":
                funds["central_budget"] = round(amt * 0.4 / 10) * 10 or 50
                funds["special_bond"] = round(amt * 0.6 / 10) * 10 or 50
            else:
                funds[src] = amt
        tags = set(rng.sample(TAGS, rng.choice([0, 0, 1, 1, 2, 3])))
        if funds["special_bond"] and sector in ("交通", "水利", "城建", "生态环保", "社会民生"):
            tags.add("两新一重")
        if industrial and rng.random() < 0.4:
            tags.add("招商引资")
        seq = rng.randint(100000, 999999)
        while seq in used_seq:
            seq = rng.randint(100000, 999999)
        used_seq.add(seq)
        reg_year = YEAR if is_reserve else min(planned_start.year, YEAR) - 1  # 项目代码: year of registration
        yymm = f"{reg_year % 100:02d}{rng.randint(1, 12):02d}"
        pcode = f"{yymm}-{code_r}-{sec_code}-{rng.choice(['01', '02', '03'])}-{seq:06d}"
        lon, lat = points[code_r].pop()
        t_owner = rng.choice(p["towns"])
        if industrial and rng.random() < 0.6:
            owner = f"云南{t_owner}{owner_kind}"
        else:
            owner = f"{p['short']}{owner_kind}"
        unit = f"{p['short']}{bureau}" if code_r != PARK_CODE else "大理经开区经济发展局"
        # approvals by stage
        ap = {}
        started = actual_start is not None
        for f in ("approval_project", "approval_land", "approval_planning", "approval_eia",
                  "approval_energy", "approval_construction"):
            if started:
                ap[f] = "done"
            elif is_reserve:
                ap[f] = {"approval_project": rng.choice(["done", "in_progress"]),
                         "approval_land": rng.choice(["in_progress", "not_started"])}.get(f, "not_started")
            else:  # new, not started yet
                ap[f] = {"approval_project": "done", "approval_land": rng.choice(["done", "in_progress"]),
                         "approval_planning": rng.choice(["done", "in_progress"]),
                         "approval_eia": rng.choice(["done", "in_progress"])}.get(f, rng.choice(["in_progress", "not_started"]))
        if not industrial and total < 5000:
            ap["approval_energy"] = "not_applicable"
        row = {
            "code": pcode, "name": p["name"], "region_code": code_r, "sector": sector, "level": level,
            "industrial": industrial, "tags": ";".join(t for t in TAGS if t in tags) or None,
            "total_investment": float(total), "owner": owner, "unit": unit,
            "leader": rng.choice(leaders_by_region[code_r] + [rng.choice(LEADERS)]),
            "lon": lon, "lat": lat, **funds, **ap,
            "planned_start": planned_start, "planned_end": planned_end,
            "actual_start": actual_start, "actual_end": None,
        }
        project_rows.append(row)
        meta[pcode] = {"profile": prof, "region": code_r, "new": is_new, "reserve": is_reserve,
                       "towns": p["towns"], "short": p["short"], "sector": sector}
        if is_reserve:
            years.append({"project_code": pcode, "year": YEAR, "library": "reserve", "nature": None,
                          "annual_plan": None})
            continue
        annual_plan = round(total * rng.uniform(0.15, 0.45) / 10) * 10 or 100.0
        years.append({"project_code": pcode, "year": YEAR, "library": "annual",
                      "nature": "new" if is_new else "continuing", "annual_plan": float(annual_plan)})
        # 2021 for continuing projects started in 2021 (their first year) or earlier
        if not is_new and actual_start.year <= 2021 and rng.random() < 0.55:
            nature21 = "new" if actual_start.year == 2021 else "continuing"
            plan21 = round(total * rng.uniform(0.15, 0.4) / 10) * 10 or 100.0
            years.append({"project_code": pcode, "year": 2021, "library": "annual", "nature": nature21,
                          "annual_plan": float(plan21)})
            s21 = actual_start.month if nature21 == "new" else 1
            done21 = rng.uniform(0.85, 1.08)
            ytd = 0.0
            for m in range(1, 13):
                if m < s21:
                    frac = 0.0
                else:
                    frac = done21 * ((m - s21 + 1) / (13 - s21)) ** rng.uniform(0.9, 1.1)
                new_ytd = max(ytd, round(plan21 * frac, 1))
                reports.append(_report(pcode, 2021, m, new_ytd, new_ytd - ytd, m >= s21,
                                       actual_start if m >= s21 else None, m >= s21, {}, None,
                                       _progress_text(rng, sector, new_ytd / plan21 if m >= s21 else 0, m >= s21),
                                       None, _person(rng)))
                ytd = new_ytd
        _gen_2022(rng, row, meta[pcode], annual_plan, is_new, prof, plans, reports)

    problems, events = _gen_problems(rng, project_rows, meta)
    users = _users(regions)
    data = {"regions": regions, "targets": targets, "stats": stats, "projects": project_rows,
            "years": years, "plans": plans, "reports": reports, "problems": problems,
            "events": events, "users": users, "meta": meta}
    _gen_pipeline(random.Random(seed + 15), data)
    return data


def _report(code, year, m, ytd, month, started, actual_start, in_stats, paid, _unused, text, note, reporter):
    return {
        "project_code": code, "period": _period(year, m), "ytd_completed": round(ytd, 1),
        "month_completed": round(month, 1), "started": bool(started), "actual_start": actual_start,
        "in_stats": bool(in_stats),
        "central_budget_paid": paid.get("central_budget"), "special_bond_paid": paid.get("special_bond"),
        "treasury_bond_paid": paid.get("treasury_bond"),
        "progress_text": text, "variance_note": note, "reporter": reporter, "batch_id": None,
    }


_TEXT_BY_SECTOR = {
    "交通": ["路基土石方完成{a}%,桥涵施工中", "路面基层施工中,完成{a}%", "隧道掘进完成{a}%"],
    "水利": ["大坝填筑完成{a}%", "输水管线铺设完成{a}%", "渠系建筑物施工中,完成{a}%"],
    "能源": ["风机基础浇筑完成{a}%", "光伏支架及组件安装完成{a}%", "升压站土建完成{a}%"],
    "产业(工业)": ["主体结构施工中,完成桩基{a}%", "厂房钢结构安装完成{a}%", "生产线设备安装完成{a}%"],
}
_TEXT_GENERIC = ["场地平整完成,基础施工中(完成{a}%)", "主体结构施工中,完成{a}%", "主体完工,附属工程施工中(完成{a}%)",
                 "装饰装修及设备安装中,完成{a}%"]


def _progress_text(rng: random.Random, sector: str, frac: float, started: bool) -> str:
    if not started:
        return rng.choice(["前期工作推进中,正在办理用地手续", "完成可研批复,正在开展初步设计", "施工招标准备中"])
    a = int(min(99, max(5, frac * 100)))
    tpl = rng.choice(_TEXT_BY_SECTOR.get(sector, []) + _TEXT_GENERIC)
    return tpl.format(a=a)


def _gen_2022(rng, row, meta, annual_plan, is_new, prof, plans, reports):
    code = row["code"]
    sector = row["sector"]
    sm = row["planned_start"].month if is_new else 1
    s0 = sm if is_new else 1
    start_month = row["actual_start"].month if (row["actual_start"] and row["actual_start"].year == YEAR) else (
        1 if not is_new else None)
    # monthly plan for ~30% (Y_start always: nothing planned before November)
    plan_fracs = None
    if prof == "Y_start":
        plan_fracs = [0.0] * 10 + [0.4, 1.0]
    elif prof not in ("R_start",) and rng.random() < 0.30:
        p_exp = rng.choice([0.7, 0.8, 1.3, 1.5])
        plan_fracs = [0.0 if m < s0 else ((m - s0 + 1) / (13 - s0)) ** p_exp for m in range(1, 13)]
    if plan_fracs is not None:
        for m in range(1, 13):
            plans.append({"project_code": code, "year": YEAR, "month": m,
                          "planned_cumulative": round(annual_plan * plan_fracs[m - 1], 1)})
    meta["plan"] = plan_fracs is not None
    gaps = _gap_path(rng, prof, plan_fracs is not None)
    # months reported
    months = list(range(1, LAST_MONTH + 1))
    if prof == "Y_reporting":
        months = months[:-1]
    elif prof == "R_reporting":
        months = months[:-2]
    # fund payment rates
    alloc = {k: row[k] for k in ("central_budget", "special_bond", "treasury_bond") if row[k]}
    rates = []
    r = 0.0
    for m in range(1, LAST_MONTH + 1):
        if prof == "Y_funds":
            tgt = {8: 0.62, 9: 0.67, 10: rng.uniform(0.66, 0.69)}.get(m, m / 12 - 0.03)
        elif prof == "R_funds":
            tgt = min(m / 12 - 0.12, 0.25 + 0.02 * m) if m >= 6 else m / 12 - 0.05
        else:
            tgt = m / 12 + rng.uniform(-0.05, 0.05)
        r = min(1.0, max(r, tgt, 0.0))
        rates.append(r)
    ytd = 0.0
    reporter = _person(rng)
    stats_lag = rng.choice([0, 1])
    for m in months:
        started = start_month is not None and m >= start_month
        e = _expected(plan_fracs, s0, m)
        if not started or e == 0:
            target = 0.0
        else:
            target = max(0.0, e + gaps[m - 1] / 100)
        new_ytd = max(ytd, round(annual_plan * target, 1))
        month_done = new_ytd - ytd
        if prof in ("Y_stats", "R_stats"):
            in_stats = False
        elif not is_new:
            in_stats = True
        else:
            in_stats = started and m >= start_month + stats_lag
        paid = {}
        if alloc:
            paid = {k: round(v * rates[m - 1], 1) for k, v in alloc.items()}
        frac_total = new_ytd / annual_plan if annual_plan else 0
        gap_now = (frac_total - e) * 100
        note = rng.choice(VARIANCE) if (started and e > 0 and gap_now < -10 and rng.random() < 0.85) else None
        if prof == "R_start" and m >= sm + 2:
            note = "用地报批及征地拆迁未完成,暂未开工"
        reports.append(_report(code, YEAR, m, new_ytd, month_done, started,
                               row["actual_start"] if started else None, in_stats, paid, None,
                               _progress_text(rng, sector, frac_total, started), note, reporter))
        ytd = new_ytd


def _gen_problems(rng: random.Random, project_rows: list[dict], meta: dict) -> tuple[list[dict], list[list[dict]]]:
    """~120 problems with their event histories (events as a list per problem, ids filled on write)."""
    by_prof: dict[str, list[dict]] = {}
    for row in project_rows:
        by_prof.setdefault(meta[row["code"]]["profile"], []).append(row)
    specs: list[tuple[dict, str]] = []  # (project row, kind)
    for row in by_prof.get("Y_problems", []):
        specs.append((row, "overdue_short"))
    for row in by_prof.get("R_problems", []):
        specs.append((row, "overdue_long"))
    for row in by_prof.get("R_start", [])[:4]:
        specs.append((row, "overdue_long_land"))
    annual_rows = [r for r in project_rows if meta[r["code"]]["profile"] != "gray"]
    reserve_rows = [r for r in project_rows if meta[r["code"]]["profile"] == "gray"]
    plan = ["closed"] * 38 + ["pending"] * 14 + ["assigned"] * 16 + ["in_progress"] * 26 + ["closure_requested"] * 12
    for kind in plan:
        row = rng.choice(reserve_rows) if (kind == "pending" and rng.random() < 0.3) else rng.choice(annual_rows)
        specs.append((row, kind))

    problems, events = [], []
    for row, kind in specs:
        m = meta[row["code"]]
        region = m["region"]
        staff = f"staff-{region}"
        cat = rng.choices(list(PROBLEM_TEXT), weights=[10, 9, 5, 5, 2, 9, 9, 6, 7, 3])[0]
        if kind == "overdue_long_land":
            cat = rng.choice(["land", "demolition"])
        desc = rng.choice(PROBLEM_TEXT[cat]).format(n=rng.randint(3, 40))
        if region == PARK_CODE:
            unit = "大理经开区" + ("征地拆迁办公室" if cat == "demolition" else PROBLEM_UNITS[cat])
        elif cat == "demolition":
            unit = PROBLEM_UNITS[cat].format(t=rng.choice(m["towns"]))
        else:
            unit = m["short"] + PROBLEM_UNITS[cat]
        # dates
        if kind == "overdue_short":
            deadline = dt.date(2022, 10, rng.randint(2, 28))
            raised = deadline - dt.timedelta(days=rng.randint(30, 80))
            status = rng.choice(["assigned", "in_progress", "in_progress", "closure_requested"])
        elif kind in ("overdue_long", "overdue_long_land"):
            deadline = dt.date(2022, rng.randint(5, 9), rng.randint(1, 28))
            if deadline > dt.date(2022, 9, 25):
                deadline = dt.date(2022, 9, 25)
            raised = deadline - dt.timedelta(days=rng.randint(30, 90))
            status = rng.choice(["assigned", "in_progress", "in_progress"])
        elif kind == "closed":
            raised = dt.date(2022, 1, 5) + dt.timedelta(days=rng.randint(0, 250))
            deadline = raised + dt.timedelta(days=rng.randint(30, 90))
            status = "closed"
        elif kind == "pending":
            raised = dt.date(2022, 10, 31) - dt.timedelta(days=rng.randint(1, 40))
            deadline = None
            status = "pending"
        else:
            raised = dt.date(2022, 5, 1) + dt.timedelta(days=rng.randint(0, 170))
            deadline = max(raised + dt.timedelta(days=rng.randint(30, 90)),
                           dt.date(2022, 11, 1) + dt.timedelta(days=rng.randint(0, 50)))
            status = kind

        escalations = 0
        if status != "pending" and rng.random() < 0.3:
            escalations = 1 if rng.random() < 0.75 else 2
        supervise = 0
        if status not in ("pending", "closed") and rng.random() < 0.45:
            supervise = rng.choice([1, 1, 2, 3])
        if kind in ("overdue_long", "overdue_long_land"):
            supervise = max(supervise, rng.choice([1, 2, 3]))
        closed_on = satisfied = None
        # event timeline
        evs: list[dict] = []
        t = dt.datetime.combine(raised, dt.time(9, rng.randint(0, 59)))

        def ev(when, user, action, frm, to, note):
            evs.append({"at": when, "username": user, "action": action, "from_status": frm,
                        "to_status": to, "note": note})

        end = dt.datetime(2022, 10, 31, 18, 0)

        def step(days_lo, days_hi):
            nonlocal t
            t = min(end, t + dt.timedelta(days=rng.randint(days_lo, days_hi), hours=rng.randint(0, 5)))
            return t

        ev(t, staff, "raise", None, "pending", desc)
        five = {"unit": None, "leader": None, "person": None, "measures": None, "deadline": None}
        if status != "pending":
            five = {"unit": unit, "leader": rng.choice(LEADERS) if rng.random() < 0.3 else
                    f"{_person(rng)}({m['short']}副县长)" if region != PARK_CODE else f"{_person(rng)}(经开区管委会副主任)",
                    "person": _person(rng), "measures": MEASURES[cat], "deadline": deadline}
            step(1, 4)
            ev(t, staff, "assign", "pending", "assigned",
               f"交办{five['unit']},解决时限{deadline.year}年{deadline.month}月{deadline.day}日")
        cur = "assigned" if status != "pending" else "pending"
        lvl = "county"
        names = {"county": "县级", "city": "市级", "province": "省级"}
        if status in ("in_progress", "closure_requested", "closed"):
            step(2, 8)
            ev(t, staff, "start", "assigned", "in_progress", None)
            cur = "in_progress"
            for _ in range(rng.randint(0, 2)):
                step(5, 15)
                ev(t, staff, "progress", cur, cur, rng.choice(["已召开专题协调会", "已完成现场踏勘", "相关手续已上报待批",
                                                             "已约谈施工单位"]))
        for _ in range(escalations):
            step(3, 10)
            new = {"county": "city", "city": "province"}[lvl]
            ev(t, "office" if lvl == "city" else staff, "escalate", cur, cur,
               f"{names[lvl]}→{names[new]}:县级协调难度大,提请上级协调解决")
            lvl = new
        for _ in range(supervise):
            step(3, 12)
            ev(t, "leader", "supervise", cur, cur, rng.choice(["请加快推进,按期销号", "请责任单位倒排工期,限期解决",
                                                             "已列入州级督办事项"]))
        if status in ("closure_requested", "closed"):
            if status == "closed":
                closed_on = min(deadline, raised + dt.timedelta(days=rng.randint(12, 60)), AS_OF)
                if dt.datetime.combine(closed_on, dt.time(17)) < t:
                    closed_on = min(t.date() + dt.timedelta(days=1), deadline, AS_OF)
            else:
                closed_on = min(AS_OF, (t + dt.timedelta(days=rng.randint(2, 10))).date())
            satisfied = True
            t = max(t, dt.datetime.combine(closed_on, dt.time(10, 0)))
            t = min(t, end)
            ev(t, staff, "submit", "in_progress", "closure_requested", "问题已解决,企业确认满意,申请销号")
            cur = "closure_requested"
            if status == "closed" and rng.random() < 0.15:
                step(0, 2)
                ev(t, "office", "return", cur, "in_progress", "佐证材料不全,退回补充")
                step(0, 3)
                ev(t, staff, "submit", "in_progress", "closure_requested", "已补充佐证材料,再次申请销号")
            if status == "closed":
                step(0, 3)
                if t.date() > AS_OF:
                    t = end
                ev(t, "office", "accept", "closure_requested", "closed", "经核实,同意销号")
        # keep events in order and never after the demo date
        evs.sort(key=lambda e: e["at"])
        problems.append({
            "project_code": row["code"], "category": cat, "description": desc, "raised_on": raised,
            "level": lvl, **five, "status": status, "closed_on": closed_on, "satisfied": satisfied,
            "supervise_count": supervise,
        })
        events.append(evs)
    return problems, events


def _users(regions: list[dict]) -> list[dict]:
    rows = [("leader", "州领导(演示)", "leader", None), ("office", "州项目办(演示)", "office", None),
            ("admin", "系统管理员(演示)", "admin", None)]
    rows += [(f"staff-{r['code']}", f"{r['name']}填报员(演示)", "staff", r["code"]) for r in regions]
    out = [{"username": u, "display_name": d, "role": role, "region_code": rc, "leader_name": None}
           for u, d, role, rc in rows]
    out[0]["leader_name"] = LEADERS[0]  # 我的项目: the demo leader is the first 包联领导
    return out


def _hash(password: str) -> str:
    try:
        from lib.access import hash_password
    except ImportError:  # pragma: no cover - auth module without the helper
        from argon2 import PasswordHasher

        return PasswordHasher().hash(password)
    return hash_password(password)


# --------------------------------------------------------------------------- pipeline

APPROVAL_FIELD_KIND = {  # the six static approval columns of the projects template → 手续 kinds
    "approval_project": "initiation", "approval_land": "land", "approval_planning": "planning",
    "approval_eia": "eia", "approval_energy": "energy", "approval_construction": "construction_permit",
}
APPROVAL_STATUS_FROM_FIELD = {"done": "done", "in_progress": "in_progress", "not_started": "not_started",
                              "not_applicable": "not_needed"}
APPROVAL_UNITS = {"initiation": "发展和改革局", "land_pre": "自然资源局", "land": "自然资源局",
                  "planning": "自然资源局", "eia": "生态环境分局", "energy": "发展和改革局",
                  "construction_permit": "住房和城乡建设局"}
DEMO_EVENTS = (  # name, date, type
    ("2022年招商引资项目集中签约", dt.date(2022, 2, 25), "signing"),
    ("2022年一季度重大项目集中开工", dt.date(2022, 3, 18), "start"),
    ("2022年上半年重大项目集中投产", dt.date(2022, 6, 28), "operation"),
    ("2022年三季度重大项目集中开工", dt.date(2022, 8, 26), "start"),
)


def _gen_pipeline(rng: random.Random, data: dict) -> None:
    """The pipeline part of the demo, drawn from its own random stream (the rest stays as it was):
    project sources and signing dates, 前期手续 rows with planned and actual dates (from each project's
    six approval statuses), 投产 of a few continuing projects, and the 三个一批 events — a 签约 event,
    two 集中开工 events (one project at the third-quarter one reports no new investment in September
    and October: 开工即停工) and a 投产 event."""
    years = {y["project_code"]: y for y in data["years"] if y["year"] == YEAR}
    started: dict[str, str] = {}
    for r in sorted(data["reports"], key=lambda r: r["period"]):
        if r["started"] and r["project_code"] not in started:
            started[r["project_code"]] = r["period"]
    approvals: list[dict] = []
    for p in data["projects"]:
        y = years[p["code"]]
        region_short = next(r["name"] for r in data["regions"] if r["code"] == p["region_code"])
        tags = (p["tags"] or "").split(";")
        if "招商引资" in tags:
            p["source"] = "attracted"
            base = p["actual_start"] or p["planned_start"]
            p["signed_on"] = dt.date(2022, 2, 25) if rng.random() < 0.5 and base > dt.date(2022, 2, 25) \
                else max(dt.date(2021, 3, 1), base - dt.timedelta(days=rng.randint(60, 300)))
        else:
            p["source"] = "government" if p["sector"] in ("交通", "水利", "城建", "社会民生", "生态环保") else "enterprise"
            p["signed_on"] = None
        p["planned_operation"] = dt.date(p["planned_end"].year, p["planned_end"].month, 28) if p["industrial"] else None
        p["actual_operation"] = None
        if y["library"] == "reserve" and rng.random() < 0.45:  # still an idea: no 手续 started yet
            for field in APPROVAL_FIELD_KIND:
                if p[field] != "not_applicable":
                    p[field] = "not_started"
        start = p["actual_start"]
        if start is None and p["code"] in started:
            pr = started[p["code"]]
            start = dt.date(int(pr[:4]), int(pr[5:7]), 1)
        for field, kind in APPROVAL_FIELD_KIND.items():
            status = APPROVAL_STATUS_FROM_FIELD[p[field]]
            row = {"project_code": p["code"], "kind": kind, "status": status, "planned_on": None, "done_on": None,
                   "unit": f"{region_short}{APPROVAL_UNITS[kind]}", "batch_id": None}
            if status == "done":
                ref = start or dt.date(2022, 9, 1)
                row["done_on"] = ref - dt.timedelta(days=rng.randint(20, 200))
                row["planned_on"] = row["done_on"] + dt.timedelta(days=rng.randint(-20, 25))
            elif status != "not_needed":
                if y["library"] == "annual":  # a new project not started yet: due before its planned start
                    row["planned_on"] = p["planned_start"] - dt.timedelta(days=rng.randint(10, 75))
                else:  # reserve: due next year
                    row["planned_on"] = dt.date(2023, rng.randint(1, 9), rng.randint(1, 28))
            approvals.append(row)
        if p["industrial"] and y["library"] == "annual" and y["nature"] == "continuing" \
                and p["planned_end"].year == YEAR and rng.random() < 0.5:
            p["actual_end"] = dt.date(2022, rng.randint(4, 6), rng.randint(1, 28))
            p["actual_operation"] = dt.date(2022, 6, 28) if rng.random() < 0.6 else None
    # 集中开工: new projects started in the event's quarter up to the event month
    def started_in(months: range) -> list[str]:
        return sorted(c for c, pr in started.items()
                      if years[c]["nature"] == "new" and int(pr[5:7]) in months and pr[:4] == str(YEAR))
    events: list[dict] = []
    for name, held_on, kind in DEMO_EVENTS:
        if kind == "signing":
            codes = sorted(p["code"] for p in data["projects"] if p["signed_on"] == held_on)
        elif kind == "operation":
            codes = sorted(p["code"] for p in data["projects"] if p["actual_operation"] == held_on)
        else:
            q = range(held_on.month - 2, held_on.month + 1) if held_on.month <= 3 else range(7, held_on.month + 1)
            codes = started_in(q)
        events += [{"name": name, "project_code": c, "held_on": held_on, "type": kind, "batch_id": None}
                   for c in codes]
    # one project of the third-quarter 开工 event stalls after it: no new investment in Sep and Oct
    q3 = [e["project_code"] for e in events if e["held_on"] == dt.date(2022, 8, 26)]
    if q3:
        stalled = sorted(q3, key=lambda c: started[c])[0]
        reports = {r["period"]: r for r in data["reports"] if r["project_code"] == stalled}
        aug = reports.get("2022-08")
        for period in ("2022-09", "2022-10"):
            if aug is not None and period in reports:
                reports[period]["ytd_completed"] = aug["ytd_completed"]
                reports[period]["month_completed"] = 0.0
                reports[period]["progress_text"] = "开工仪式后施工队伍撤场,现场停工"
        data["meta"][stalled]["stalled"] = True
    # the reserve at the end of 2021: a third of this year's new projects came out of it, and some of
    # this year's reserve was already there (not converted yet)
    has_2021 = {y["project_code"] for y in data["years"] if y["year"] == YEAR - 1}
    for code, y in sorted(years.items()):
        if code in has_2021:
            continue
        if (y["nature"] == "new" and rng.random() < 0.35) or (y["library"] == "reserve" and rng.random() < 0.5):
            data["years"].append({"project_code": code, "year": YEAR - 1, "library": "reserve", "nature": None,
                                  "annual_plan": None})
    data["approvals"] = approvals
    data["project_events"] = events


def _write(session: Session, data: dict) -> None:
    now = audit.now()
    session.execute(insert(Region), data["regions"])
    session.execute(insert(RegionTarget), data["targets"])
    session.execute(insert(RegionStat), data["stats"])
    session.execute(insert(Project), data["projects"])
    session.execute(insert(ProjectYear), data["years"])
    if data["plans"]:
        session.execute(insert(MonthlyPlan), data["plans"])
    session.execute(insert(MonthlyReport), data["reports"])
    session.execute(insert(Approval), data["approvals"])
    session.execute(insert(ProjectEvent), data["project_events"])
    from lib.intake import quality  # the demo's reports carry their data-quality flags like uploads

    quality.refresh(session, [(r["project_code"], r["period"]) for r in data["reports"]])
    # the demo ledger's own problem numbers are the ids' text form (as in a migrated store)
    ids = session.execute(
        insert(Problem).returning(Problem.id, sort_by_parameter_order=True),
        [{**p, "number": f"demo-{i}"} for i, p in enumerate(data["problems"])]
    ).scalars().all()
    session.execute(update(Problem), [{"id": pid, "number": str(pid)} for pid in ids])
    ev_rows = [{**e, "problem_id": pid} for pid, evs in zip(ids, data["events"]) for e in evs]
    session.execute(insert(ProblemEvent), ev_rows)
    existing = set(session.scalars(select(User.username)))
    # One argon2 hash (≈0.1–0.5 s each with argon2's defaults) shared by every demo account: they all
    # have the same published demo password anyway, and loading stays fast.
    pw = _hash(DEMO_PASSWORD)
    users = [{**u, "password_hash": pw, "active": True, "failed_logins": 0, "created_at": now}
             for u in data["users"] if u["username"] not in existing]
    if users:
        session.execute(insert(User), users)
    summary = {"campaign": CAMPAIGN, "regions": len(data["regions"]), "projects": len(data["projects"]),
               "reports": len(data["reports"]), "problems": len(data["problems"]), "users": len(users)}
    session.add(Setting(key=DEMO_KEY, value=json.dumps({**summary, "loaded_at": now.isoformat()},
                                                         ensure_ascii=False),
                        updated_by="demo", updated_at=now))
    audit.record(session, "system", "init", "demo", CAMPAIGN, None, summary)
    session.flush()
