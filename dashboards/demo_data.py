"""A large, plausible data set for the dashboards and their benchmark, written with bulk_create.

Units have a reliability of their own (some are often late), leaders look after a few units
each, items fall due all year long (month and quarter ends above all), completed items carry a
completion time (on time or late) and most of them a grade, projects carry milestones, and
every item has a short progress history. Deterministic for a given seed.
"""

import datetime
import hashlib
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from gazette.text import fold_name
from tracker.models import (
    Deadline,
    Item,
    ItemOwner,
    ItemPerson,
    ProgressReport,
    SourceDocument,
    SourceFile,
    Tag,
    Unit,
    User,
)

MARKER = "generate_demo_data"
LIVELIHOOD_TAG = "民生实事项目"

PLACES = [
    "城区",
    "泽州县",
    "高平市",
    "阳城县",
    "陵川县",
    "沁水县",
    "经开区",
    "北石店镇",
    "西上庄街道",
    "钟家庄街道",
]
BUREAUS = [
    "发展和改革局",
    "财政局",
    "教育局",
    "住房和城乡建设局",
    "城市管理局",
    "交通运输局",
    "水务局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "卫生健康局",
    "应急管理局",
    "市场监督管理局",
    "生态环境分局",
    "自然资源分局",
    "人力资源和社会保障局",
    "民政局",
    "司法局",
    "审计局",
    "统计局",
    "医疗保障局",
    "退役军人事务局",
    "行政审批服务管理局",
    "工业和信息化局",
    "科学技术局",
    "公安分局",
    "消防救援大队",
    "税务局",
    "供电公司",
    "投资促进中心",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = [
    "海涛",
    "立新",
    "晓燕",
    "志强",
    "建华",
    "永星",
    "大伟",
    "海忠",
    "晋雷",
    "小虎",
    "晓伟",
    "睿",
    "晓晨",
    "红梅",
    "国庆",
    "秀英",
    "文博",
    "思远",
    "宏伟",
    "丽华",
]
TOPICS = [
    "产业转型",
    "项目建设",
    "城市更新",
    "乡村振兴",
    "营商环境",
    "生态环保",
    "民生保障",
    "安全生产",
    "改革创新",
    "政府自身建设",
]
PROJECT_CATEGORIES = [
    "一、产业转型 / (一)高端装备制造产业链",
    "一、产业转型 / (二)第三代半导体产业链",
    "二、基础设施 / (一)交通",
    "二、基础设施 / (二)水利",
    "三、城市更新 / (一)老旧小区改造",
    "四、社会民生 / (一)教育",
    "四、社会民生 / (二)医疗卫生",
    "五、生态环保 / (一)治污",
]
VERBS = ["推进", "完成", "落实", "加快", "开展", "实施", "深化", "建成"]
OBJECTS = [
    "老旧小区改造",
    "城市道路提质",
    "智慧停车场建设",
    "中小学校扩容",
    "社区养老服务中心",
    "污水管网改造",
    "营商环境优化专项行动",
    "高标准农田建设",
    "重点企业技改",
    "安全生产隐患排查",
    "数字政府建设",
    "公共卫生服务提升",
    "河道综合治理",
    "招商引资签约项目落地",
    "农村人居环境整治",
]


@dataclass
class Sizes:
    items: int = 50_000
    units: int = 300
    leaders: int = 40
    year: int | None = None
    seed: int = 2025


def _unit_names(count, taken):
    names = [f"{place}{bureau}" for bureau in BUREAUS for place in PLACES]
    names = [n for n in names if n not in taken]
    extra = 1
    while len(names) < count:
        candidate = f"第{extra}专项工作组"
        if candidate not in taken:
            names.append(candidate)
        extra += 1
    return names[:count]


def _leader_names(count, rnd):
    names = set()
    while len(names) < count:
        names.add(rnd.choice(SURNAMES) + rnd.choice(GIVEN))
    return sorted(names)


def _due_date(rnd, year):
    """Month and quarter ends are favourite deadlines in these documents."""
    month = rnd.randint(1, 12)
    if rnd.random() < 0.45:
        month = rnd.choice([3, 6, 9, 12])
        day = (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(1)).day
    else:
        day = rnd.randint(1, 28)
    return datetime.date(year, month, day)


def _at(date, hour=10):
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time(hour)))


@transaction.atomic
def generate(sizes, log=lambda msg: None):
    """Write the data set; returns the counts written. Refuses to run twice on one database."""
    rnd = random.Random(sizes.seed)
    today = timezone.localdate()
    year = sizes.year or today.year
    fingerprint = hashlib.sha256(f"{MARKER}:{sizes}".encode()).hexdigest()
    if SourceFile.objects.filter(name=MARKER).exists():
        raise ValueError("此数据库已有演示数据（generate_demo_data），请使用新的数据库。")

    taken = set(Unit.objects.values_list("name", flat=True))
    units = Unit.objects.bulk_create(
        Unit(name=name, kind=Unit.Kind.CITY_DEPARTMENT if "局" in name else Unit.Kind.OTHER)
        for name in _unit_names(sizes.units, taken)
    )
    reliability = {u.pk: rnd.uniform(0.55, 0.98) for u in units}
    # One liaison per unit writes its progress reports (no usable password: not a login).
    authors = User.objects.bulk_create(
        User(
            username=f"demo_unit{u.pk}",
            display_name=f"{u.name} 联络员",
            role=User.Role.STAFF,
            unit=u,
            password="!" + fingerprint[:20],
            email=f"demo_unit{u.pk}@example.gov.cn",
        )
        for u in units
    )
    author_of = {a.unit_id: a for a in authors}
    leaders = _leader_names(sizes.leaders, rnd)
    # Each leader looks after a slice of the units (分管).
    leader_of = {u.pk: leaders[i % len(leaders)] for i, u in enumerate(units)}
    log(f"{len(units)} units, {len(leaders)} leaders")

    source = SourceFile.objects.create(
        name=MARKER, sha256=fingerprint, size=0, text="", gazette_title="演示数据"
    )
    titles = [
        (
            f"关于印发{year}年《政府工作报告》任务分工的通知",
            f"城政办发〔{year}〕9号",
            Item.Kind.TASK,
        ),
        (f"关于印发{year}年重点工程项目名单的通知", f"城政办发〔{year}〕12号", Item.Kind.PROJECT),
        (f"关于印发{year}年民生实事项目实施方案的通知", f"城政办发〔{year}〕15号", Item.Kind.TASK),
        ("关于印发优化营商环境三年行动方案的通知", f"城政办发〔{year}〕21号", Item.Kind.TASK),
        (f"关于做好{year}年度重点工作进展报送的通知", f"城政办发〔{year}〕30号", Item.Kind.REPORT),
        ("区政府常务会议交办事项", "", Item.Kind.ADHOC),
    ]
    documents = []
    for n, (title, number, _kind) in enumerate(titles):
        doc = SourceDocument(
            source_file=source,
            sha256=hashlib.sha256(f"{fingerprint}:{n}".encode()).hexdigest(),
            doc_number=number,
            doc_number_key=fold_name(number),
            title=title,
            issuer="城区人民政府办公室",
            signed_on=datetime.date(year, 2 + n, 10),
            line_start=1,
            line_end=1,
            text="",
        )
        documents.append(doc)
    SourceDocument.objects.bulk_create(documents)
    kinds = [kind for _t, _n, kind in titles]
    doc_weights = [45, 12, 10, 15, 8, 10]
    tag, _ = Tag.objects.get_or_create(name=LIVELIHOOD_TAG)

    items, plans = [], []
    year_start = datetime.date(year, 1, 1)
    for i in range(sizes.items):
        d = rnd.choices(range(len(documents)), doc_weights)[0]
        kind = kinds[d]
        lead = rnd.choice(units)
        due = None if rnd.random() < 0.04 else _due_date(rnd, year)
        created = year_start + datetime.timedelta(days=rnd.randint(0, 40))
        if due and due < created:
            created = due - datetime.timedelta(days=rnd.randint(5, 30))
        reliable = reliability[lead.pk]
        completed_at, status, percent = None, Item.Status.IN_PROGRESS, 0
        if due and due < today:
            if rnd.random() < reliable:
                late = rnd.random() > reliable
                offset = rnd.randint(1, 25) if late else -rnd.randint(0, 20)
                completed_at = _at(min(today, max(created, due + datetime.timedelta(offset))))
        elif rnd.random() < 0.2 * reliable and (due is None or created < today):
            completed_at = _at(min(today, created + datetime.timedelta(rnd.randint(10, 200))))
        if completed_at:
            status, percent = Item.Status.COMPLETED, 100
        else:
            span = max(1, ((due or today) - created).days)
            percent = max(0, min(95, int(100 * (today - created).days / span * reliable)))
            if rnd.random() < 0.05:
                status = Item.Status.COMPLETION_REQUESTED
        grade = ""
        if completed_at and rnd.random() < 0.85:
            grade = rnd.choices("ABCD", [reliable * 4, 3, 2 - reliable, 1.2 - reliable])[0]
        section = (
            rnd.choice(PROJECT_CATEGORIES)
            if kind == Item.Kind.PROJECT
            else f"{'一二三四五六七八九十'[i % 10]}、{TOPICS[i % 10]}"
        )
        text = f"{rnd.choice(VERBS)}{rnd.choice(OBJECTS)}"
        place = ""
        if kind == Item.Kind.PROJECT:
            place = rnd.choice(PLACES)
            text = f"{place}{rnd.choice(OBJECTS)}项目"
        items.append(
            Item(
                document=documents[d],
                ref=str(i + 1),
                section=section,
                text=text,
                kind=kind,
                status=status,
                percent=percent,
                due_date=due,
                grade=grade,
                received_at=_at(created),
                completed_at=completed_at,
                created_at=_at(created),
                fields={"层级": rnd.choice(["省重点", "市重点"]), "建设地点": place}
                if kind == Item.Kind.PROJECT
                else {},
            )
        )
        plans.append((lead, created))
    Item.objects.bulk_create(items, batch_size=2000)
    log(f"{len(items)} items")

    owners, people, deadlines, reports, tags = [], [], [], [], []
    for item, (lead, created) in zip(items, plans, strict=True):
        owners.append(ItemOwner(item=item, role=ItemOwner.Role.LEAD, name=lead.name, unit=lead))
        if rnd.random() < 0.35:
            for pos, co in enumerate({u for u in rnd.sample(units, 2) if u != lead}):
                owners.append(
                    ItemOwner(
                        item=item, role=ItemOwner.Role.CO, name=co.name, unit=co, position=pos
                    )
                )
        people.append(ItemPerson(item=item, role=ItemPerson.Role.LEADER, name=leader_of[lead.pk]))
        due = item.due_date
        if due:
            deadlines.append(
                Deadline(
                    item=item,
                    expr=f"{due.month}月{due.day}日前",
                    date=due,
                    done_at=item.completed_at,
                )
            )
        else:
            deadlines.append(Deadline(item=item, expr="长期坚持", ongoing=True))
        if item.kind == Item.Kind.PROJECT and due:
            span = (due - created).days
            for step, what in enumerate(["开工建设", "主体完工", "竣工验收"][: rnd.randint(1, 3)]):
                date = created + datetime.timedelta(days=span * (step + 1) // 4)
                done = _at(date) if date < today and rnd.random() < reliability[lead.pk] else None
                deadlines.append(
                    Deadline(
                        item=item,
                        kind=Deadline.Kind.MILESTONE,
                        date=date,
                        expr=f"{date.month}月{date.day}日前",
                        what=what,
                        done_at=done,
                    )
                )
        if item.kind == Item.Kind.REPORT:
            deadlines.append(
                Deadline(
                    item=item,
                    kind=Deadline.Kind.REPORT,
                    expr="每月25日前",
                    recurrence="monthly:25",
                    what="上报当月进展",
                )
            )
        last = min(today, due or today) if not item.completed_at else item.completed_at.date()
        steps = rnd.randint(0, 4)
        for step in range(steps):
            when = created + datetime.timedelta(
                days=max(0, (last - created).days) * (step + 1) // (steps + 1)
            )
            reports.append(
                ProgressReport(
                    # The liaison's unit has no unit head account, so each report counts at once.
                    item=item,
                    author=author_of[lead.pk],
                    created_at=_at(when, 16),
                    confirmed_at=_at(when, 16),
                    percent=min(100, item.percent * (step + 1) // steps),
                    narrative=f"第{step + 1}次进展：按计划推进。",
                )
            )
        if rnd.random() < 0.06:
            tags.append(Item.tags.through(item=item, tag=tag))
    for model, rows in (
        (ItemOwner, owners),
        (ItemPerson, people),
        (Deadline, deadlines),
        (ProgressReport, reports),
        (Item.tags.through, tags),
    ):
        model.objects.bulk_create(rows, batch_size=5000)
        log(f"{len(rows)} {model._meta.verbose_name_plural}")
    return {
        "units": len(units),
        "leaders": len(leaders),
        "items": len(items),
        "owners": len(owners),
        "deadlines": len(deadlines),
        "reports": len(reports),
    }
