"""English through Django's translation machinery: the catalog, the pages, e-mails and dates."""

import ast
import datetime
import io
import tokenize
from pathlib import Path
from zoneinfo import ZoneInfo

import polib
import pytest
from django.conf import settings
from django.template import engines
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize

from tests.tracking import make_document
from tracker.models import Deadline, Delivery, ReminderSweep, User
from tracker.reminders import mail, plan

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
SKIP_DIRS = {".venv", "var", "node_modules", "tests", ".git", "locale", "static"}
# The gettext functions makemessages knows (xgettext keywords): name -> (context?, plural?)
FUNCTIONS = {
    "_": (False, False),
    "gettext": (False, False),
    "gettext_lazy": (False, False),
    "gettext_noop": (False, False),
    "ngettext": (False, True),
    "ngettext_lazy": (False, True),
    "pgettext": (True, False),
    "pgettext_lazy": (True, False),
    "npgettext": (True, True),
    "npgettext_lazy": (True, True),
}
# Translations that rightly keep Chinese: the language's own name, a sample clause number.
KEPT_CHINESE = {"简体中文", "如 二.(一).3"}
# Core Chinese labels of the interface that must not survive on an English page.
CHINESE_LABELS = ["工作台", "督办事项", "完成时限", "牵头单位", "退出", "登录"]


def _strings_after(tokens, start):
    """The string arguments of the call opening at tokens[start] (a '(')."""
    args, current, depth = [], [], 0
    for tok in tokens[start:]:
        if tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
            if depth == 1:
                continue
        if tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
            if depth == 0:
                break
        if depth == 1 and tok.type == tokenize.OP and tok.string == ",":
            args.append(current)
            current = []
        elif tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
            current.append(tok)
    args.append(current)
    values = []
    for arg in args:
        if not arg or any(t.type != tokenize.STRING for t in arg):
            values.append(None)
        else:
            values.append("".join(ast.literal_eval(t.string) for t in arg))
    return values


def extract(source):
    """(context, msgid, msgid_plural) of every gettext call with literal strings in `source`."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    found = set()
    for i, tok in enumerate(tokens[:-1]):
        nxt = tokens[i + 1]
        if tok.type != tokenize.NAME or tok.string not in FUNCTIONS or nxt.string != "(":
            continue
        if i and tokens[i - 1].string in (".", "def"):
            continue
        has_context, has_plural = FUNCTIONS[tok.string]
        values = _strings_after(tokens, i + 1)
        context = values.pop(0) if has_context else ""
        msgid = values[0] if values else None
        plural = values[1] if has_plural and len(values) > 1 else ""
        if msgid:
            found.add((context or "", msgid, plural or ""))
    return found


def messages_in_code():
    """What `makemessages` would extract, without GNU gettext: Python files and templates."""
    found = set()
    for path in sorted(ROOT.rglob("*")):
        parts = set(path.relative_to(ROOT).parts)
        if parts & SKIP_DIRS or not path.is_file():
            continue
        if path.suffix == ".py":
            found |= extract(path.read_text(encoding="utf-8"))
        elif path.suffix in (".html", ".txt") and "templates" in parts:
            found |= extract(templatize(path.read_text(encoding="utf-8"), origin=str(path)))
    return found


def test_the_english_catalog_translates_every_message_of_the_code():
    catalog = {
        (e.msgctxt or "", e.msgid, e.msgid_plural or ""): e
        for e in polib.pofile(str(PO))
        if not e.obsolete
    }
    code = messages_in_code()
    assert len(code) > 500
    missing = sorted(m[1] for m in code - catalog.keys())
    assert not missing, (
        "Not in locale/en: run `manage.py makemessages -l en --ignore=.venv --ignore=var "
        "--ignore=tests`, translate, then `compilemessages --ignore=.venv`:\n" + "\n".join(missing)
    )


def test_the_english_catalog_has_no_untranslated_or_fuzzy_entry():
    po = polib.pofile(str(PO))
    assert not po.metadata_is_fuzzy
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert po.percent_translated() == 100
    for entry in po.translated_entries():
        texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in texts:
            chinese = any("\u4e00" <= ch <= "\u9fff" for ch in text)
            assert not chinese or entry.msgid in KEPT_CHINESE, (entry.msgid, text)


def test_the_committed_mo_file_is_compiled_from_the_current_po():
    po = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(PO)) if not e.obsolete}
    mo = {(e.msgctxt, e.msgid): e for e in polib.mofile(str(MO))}
    assert po.keys() == mo.keys(), "run `manage.py compilemessages --ignore=.venv`"
    for key, entry in po.items():
        if entry.msgid_plural:
            assert mo[key].msgstr_plural == entry.msgstr_plural, key
        else:
            assert mo[key].msgstr == entry.msgstr, key


@pytest.fixture(autouse=True)
def language_restored():
    """A request leaves its language active in the thread: later tests must not inherit English."""
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture
def web(client):
    return client


def login(client, user):
    client.force_login(user)


def assert_english(html, *expected):
    for text in expected:
        assert text in html
    for label in CHINESE_LABELS:
        assert label not in html, label


def test_the_login_page_follows_an_english_browser(web, db):
    html = web.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html
    assert_english(html, "Log in to Duban", "Username", "Password")
    chinese = web.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "登录督办台" in chinese and "Log in to Duban" not in chinese


def test_the_language_switcher_turns_the_pages_english_and_saves_the_choice(web, users):
    login(web, users["staff"])
    assert "工作台" in web.get(reverse("home")).content.decode()
    response = web.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = web.get(reverse("home")).content.decode()
    assert_english(html, "Workbench", "Log out", "Needs attention")
    users["staff"].refresh_from_db()
    assert users["staff"].language == "en"  # e-mails follow the switcher too


def test_a_user_who_prefers_english_gets_english_pages_whatever_the_browser(web, users):
    User.objects.filter(pk=users["head"].pk).update(language="en")
    login(web, users["head"])
    html = web.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="en">' in html
    assert_english(html, "Workbench")
    # The switcher's cookie still wins over the saved preference.
    web.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "工作台" in web.get(reverse("home")).content.decode()


def test_item_list_and_item_page_render_in_english_with_english_dates(web, users, units, make_item):
    item = make_item(
        "推进示范任务。",
        lead=units["fgj"],
        co=[units["jyj"]],
        due_date=datetime.date(2024, 5, 31),
        document=make_document("推进示范任务。"),
    )
    Deadline.objects.create(item=item, expr="5月底前", date=datetime.date(2024, 5, 31))
    login(web, users["supervisor"])
    web.post(reverse("set_language"), {"language": "en", "next": "/"})

    listing = web.get(reverse("item_list")).content.decode()
    assert_english(listing, "Supervised items", "Deadline", "Lead unit", "31 May 2024")
    assert "2024年5月31日" not in listing

    page = web.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert_english(page, "Co-operating units", "Deadlines and milestones", "31 May 2024")
    assert "2024年5月31日" not in page and "推进示范任务。" in page  # data stays as written
    assert "测试文件</strong> (晋市政办〔2024〕12号)" in page  # punctuation follows the language

    web.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    chinese = web.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert "2024年5月31日" in chinese and "完成时限" in chinese
    assert "测试文件</strong>（晋市政办〔2024〕12号）" in chinese


def test_the_dashboard_tables_and_charts_date_in_english(web, users, units, make_item):
    make_item("推进示范任务。", lead=units["fgj"], due_date=datetime.date(2024, 5, 31))
    web.force_login(users["supervisor"])
    web.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = web.get(reverse("dashboards:overview")).content.decode()
    assert "Leadership dashboard" in html and "31 May 2024" in html
    assert "2024年5月31日" not in html and "领导看板" not in html
    assert '"tickformat":"%b %Y","hoverformat":"%-d %b %Y"' in html  # the chart's axis


def test_dates_read_as_chinese_in_chinese_and_day_month_year_otherwise():
    template = engines["django"].from_string(
        "{% load cn_dates %}{{ d|cn_date }}|{{ t|cn_datetime }}|{{ d|cn_monthday }}|{{ none|cn_date }}"
    )
    context = {
        "d": datetime.date(2024, 5, 31),
        "none": None,
        "t": datetime.datetime(2024, 5, 31, 1, 5, tzinfo=datetime.UTC),
    }
    with translation.override("zh-hans"):
        assert template.render(context) == "2024年5月31日|2024年5月31日 09:05|5月31日|"
    with translation.override("en"):
        assert template.render(context) == "31 May 2024|31 May 2024 09:05|31 May|"


def test_a_reminder_email_to_an_english_user_is_english(users, units, make_item):
    User.objects.filter(username="staff").update(language="en")
    due = datetime.date(2024, 10, 10)
    item = make_item("完成示范任务。", lead=units["fgj"], due_date=due)
    Deadline.objects.create(item=item, expr="10月10日前", date=due)
    ReminderSweep.objects.create(
        date=datetime.date(2024, 10, 8),
        finished_at=datetime.datetime(2024, 10, 8, 2, tzinfo=datetime.UTC),
    )
    ids = plan.tick(datetime.datetime(2024, 10, 9, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    deliveries = Delivery.objects.filter(pk__in=ids).select_related("recipient")
    english = mail.build_message(deliveries.get(recipient__username="staff"))
    chinese = mail.build_message(deliveries.get(recipient__username="head"))

    assert english.subject == "[Duban] Supervised items needing your attention: 1"
    assert "Dear staff," in english.body and "Due in 1 working day (10 Oct 2024)" in english.body
    assert "Please act promptly and report progress in Duban." in english.body
    assert "Status: Awaiting acknowledgement, Progress 0%" in english.body
    html = english.alternatives[0][0]
    assert '<html lang="en">' in html and "10 Oct 2024" in html
    for text in (english.subject, english.body, html):
        assert "督办台" not in text and "需要您关注" not in text and "2024年" not in text
        assert "：" not in text and "，" not in text
    assert "还有 1 个工作日到期（2024年10月10日）" in chinese.body
    assert "办理状态：待签收，进度 0%" in chinese.body


def test_the_weekly_digest_to_an_english_leader_is_english(users, units, make_item):
    User.objects.filter(username="leader").update(language="en")
    make_item("完成示范任务。", lead=units["fgj"], due_date=datetime.date(2024, 10, 10))
    delivery = Delivery.objects.create(
        recipient=User.objects.get(username="leader"),
        kind=Delivery.Kind.WEEKLY,
        period=datetime.date(2024, 10, 14),
    )
    message = mail.build_message(delivery)
    html = message.alternatives[0][0]
    assert message.subject == "[Duban · Weekly summary] Supervised items 7 Oct–13 Oct"
    assert "Supervised items from 7 Oct 2024 to 13 Oct 2024:" in message.body
    assert "Overdue: 1" in message.body and "Newly overdue this week (1):" in message.body
    assert (
        "完成示范任务。 (10 Oct 2024)" in message.body
        and "Completed this week (0):" in message.body
    )
    assert "Newly overdue this week (1)</h3>" in html and "</a> (10 Oct 2024)</li>" in html
    for text in (message.subject, message.body, html):
        assert not any(ch in text for ch in "：（），"), text
