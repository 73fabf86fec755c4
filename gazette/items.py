"""Stage 4: a document's lines to tracked items.

Walks the body once, keeping the chain of headings (一、 > (一) > 1. > (1)) that
are above the current line. A paragraph becomes an item when

* it carries an owner annotation (〔责任单位：…〕, (分管领导:…), (民生实事项目)…), or
* it is a numbered paragraph under a heading that assigns owners
  (``(一)X牵头的工作``, ``(一)采供血机构``), or
* it states a report obligation with a time (2月10日前上报工作方案);

and every data row of a task or project table is an item. Items inherit owners
from their headings: leaders accumulate, units come from the nearest level that
names any. An annotation closing a sub-list (1)…(2)…〔牵头部门：…〕 belongs to the
numbered task that opened it.

A plan, implementation opinion or work notice that marks no owners at all
(:func:`assigns_in_prose`) is read for its numbered prose paragraphs instead:
each is a task, with the units its sentences name (各县（市、区）人民政府要…,
市X局会同市Y局…) as owners; so are ——dash paragraphs under a task and a
paragraph naming an owner right under a titled sub-heading. Regulations (第X条)
and emergency plans never give prose tasks, and their report duties are
standing rules, not items.
"""

from __future__ import annotations

import re

from gazette.lines import CN_NUM, fold
from gazette.model import CONFIDENCE, Item
from gazette.split import Document
from gazette.walker import walk

# what a document is, by the last kind word of its title (of the document it
# issues, for 关于印发X办法的通知): plans and notices assign tasks in numbered
# paragraphs; regulations (第X条 articles) and emergency plans (duty lists) do not
_KIND = re.compile(
    r"(办法|细则|规定|条例|规则|章程|制度|标准|预案|规划|纲要|指南|名单|方案|计划|意见|要点|"
    r"分工|清单|措施|通知|通告|公告|决定|批复|通报|报告|函)"
)
_TASK_KINDS = {"方案", "计划", "意见", "要点", "分工", "清单", "通知"}
_RULE_KINDS = {"办法", "细则", "规定", "条例", "规则", "章程", "制度", "标准", "预案"}
_ISSUES = re.compile(r"印发|转发|下发")
_SETS_UP = re.compile(r"成立|调整|组建|设立|撤销|命名|表彰|公布|确定")
_ARTICLE = re.compile(rf"^\s*第[{CN_NUM}\d]+条")
_PARENTHETICAL = re.compile(r"[(（][^()（）]*[)）]")
# sections of measures that back the tasks up: their numbered paragraphs are items
_MEASURES = re.compile(r"保障措施|组织实施|保障机制|组织保障|工作保障|推进措施|实施保障")
# a verb that hands a unit a task: 负责 / 牵头 / 落实 / 组织实施
_ASSIGNING = re.compile(r"负责|牵头|落实|组织实施|抓好|做好|完成|推进|实施|开展")


def assigns_in_prose(doc: Document) -> bool:
    """Does the document assign tasks in numbered paragraphs (a plan, an
    implementation opinion, a work notice) rather than set rules (办法 with
    第X条 articles), duties in an emergency (应急预案) or nothing (批复, 通告)?"""
    kinds, subject, issued = _kinds(doc)
    if not kinds and doc.whole_file:
        return not _has_articles(doc)  # a text without a title: its numbered paragraphs may assign
    if not kinds or kinds[-1] not in _TASK_KINDS:
        return False
    if kinds[-1] == "通知" and (issued or _SETS_UP.search(subject)):
        return False
    return not _has_articles(doc)


def sets_rules(doc: Document) -> bool:
    """A regulation (办法, 细则 … or 第X条 articles) or an emergency plan: its
    report duties are standing rules, not tasks to track."""
    kinds, _, _ = _kinds(doc)
    return bool(kinds and kinds[-1] in _RULE_KINDS) or _has_articles(doc)


def _kinds(doc: Document) -> tuple[list[str], str, bool]:
    """Kind words of the title (of the document it issues), the subject, issued?"""
    title = _PARENTHETICAL.sub("", fold(doc.title))
    issued = _ISSUES.search(title)
    subject = title[issued.end() :] if issued else title
    if issued:
        subject = re.sub(r"的?通知$", "", subject)
    return _KIND.findall(subject), subject, bool(issued)


def _has_articles(doc: Document) -> bool:
    body = doc.lines[doc.body_start :]
    return sum(1 for line in body if _ARTICLE.match(line.key)) >= 3


def find_items(doc: Document) -> list[Item]:
    if doc.chronicle:
        return []  # a chronicle (大事记) reports what happened; it assigns nothing
    walker = walk(doc, prose=assigns_in_prose(doc))
    items = walker.items
    if walker.annotated:
        # the document marks its tasks with annotations (or tables): they are the tasks;
        # a prose paragraph that still names a unit as the one to act is proposed as an
        # uncertain candidate, so the office sees it rather than nothing
        for n in walker.prose_reports:
            items[n].kind = "report"
        kept = []
        for n, item in enumerate(items):
            if n not in walker.prose_only:
                kept.append(item)
            elif _MEASURES.search(item.section) and item.label_numbered():
                # 保障措施 / 组织实施: numbered measures, which the office may drop
                item.rule, item.confidence = "measure", CONFIDENCE["measure"]
                kept.append(item)
            elif item.owners.has_units() and _ASSIGNING.search(fold(item.text)):
                item.rule, item.confidence = "candidate", CONFIDENCE["candidate"]
                kept.append(item)
        items = kept
    if any(item.kind == "report" for item in items) and sets_rules(doc):
        items = [item for item in items if item.kind != "report"]
    return items
