import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tracker.models import (
    Deadline,
    Item,
    ProgressReport,
    Request,
    SourceDocument,
    SourceFile,
    UnitAlias,
    User,
)

pytestmark = pytest.mark.django_db


def make_file(sha="a" * 64):
    return SourceFile.objects.create(name="公报.txt", sha256=sha, size=10, text="正文")


def make_document(source_file, sha="b" * 64, doc_number="晋市政办〔2024〕12号"):
    return SourceDocument.objects.create(
        source_file=source_file,
        sha256=sha,
        doc_number=doc_number,
        title="关于印发的通知",
        line_start=1,
        line_end=10,
        text="正文",
    )


def test_a_file_is_stored_once_by_its_sha256():
    make_file()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_file()


def test_a_document_number_is_unique_whatever_its_brackets_and_spaces():
    source = make_file()
    make_document(source)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_document(source, sha="c" * 64, doc_number="晋市政办 [2024] 12 号")


def test_documents_without_a_number_may_repeat():
    source = make_file()
    make_document(source, doc_number="")
    make_document(source, sha="c" * 64, doc_number="")
    assert SourceDocument.objects.filter(doc_number_key="").count() == 2


def test_a_document_span_must_be_ordered():
    source = make_file()
    with pytest.raises(IntegrityError), transaction.atomic():
        SourceDocument.objects.create(
            source_file=source, sha256="d" * 64, title="t", line_start=9, line_end=3, text=""
        )


@pytest.mark.parametrize("percent", [101, 250])
def test_item_percent_cannot_pass_100(percent):
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.create(text="任务", percent=percent)


def test_report_percent_cannot_pass_100(users):
    item = Item.objects.create(text="任务")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReport.objects.create(item=item, author=users["staff"], percent=120, narrative="x")


def test_a_completed_item_records_when():
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.create(text="任务", status=Item.Status.COMPLETED)
    Item.objects.create(text="任务", status=Item.Status.COMPLETED, completed_at=timezone.now())


def test_ongoing_work_has_no_date():
    item = Item.objects.create(text="任务")
    with pytest.raises(IntegrityError), transaction.atomic():
        Deadline.objects.create(
            item=item, expr="长期坚持", ongoing=True, date=datetime.date(2024, 12, 31)
        )


def test_an_extension_request_names_its_new_date(users):
    item = Item.objects.create(text="任务")
    with pytest.raises(IntegrityError), transaction.atomic():
        Request.objects.create(
            item=item, kind=Request.Kind.EXTENSION, requested_by=users["staff"], reason="施工受阻"
        )


def test_only_one_pending_request_of_a_kind(users):
    item = Item.objects.create(text="任务")
    Request.objects.create(
        item=item, kind=Request.Kind.COMPLETION, requested_by=users["staff"], reason="已完成"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Request.objects.create(
            item=item, kind=Request.Kind.COMPLETION, requested_by=users["staff"], reason="再次申请"
        )


def test_unit_staff_must_belong_to_a_unit():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="nobody", role=User.Role.STAFF)
    User.objects.create(username="boss", role=User.Role.LEADER)


def test_aliases_match_regardless_of_width_and_spaces(units):
    UnitAlias.objects.create(unit=units["fgj"], name="区 发改委（能源局）")
    assert UnitAlias.objects.get(key="区发改委(能源局)").unit == units["fgj"]
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitAlias.objects.create(unit=units["jyj"], name="区发改委(能源局)")


def test_final_due_date_is_the_latest_dated_deadline():
    item = Item.objects.create(text="任务")
    for expr, date in [
        ("一季度", datetime.date(2024, 3, 31)),
        ("上半年", datetime.date(2024, 6, 30)),
        ("长期坚持", None),
    ]:
        Deadline.objects.create(item=item, expr=expr, date=date, ongoing=date is None)
    assert item.refresh_due_date() == datetime.date(2024, 6, 30)


def test_state_is_derived_the_same_in_sql_and_python():
    today = datetime.date(2024, 6, 1)
    cases = {
        "overdue": dict(due_date=datetime.date(2024, 5, 31)),
        "at_risk": dict(due_date=datetime.date(2024, 6, 5)),
        "on_track": dict(due_date=datetime.date(2024, 9, 30)),
        "undated": dict(due_date=None),
        "done": dict(
            due_date=datetime.date(2024, 1, 31),
            status=Item.Status.COMPLETED,
            completed_at=timezone.now(),
        ),
    }
    ids = {state: Item.objects.create(text=state, **fields).id for state, fields in cases.items()}
    annotated = {item.id: item.state for item in Item.objects.with_state(today)}
    for state, item_id in ids.items():
        assert annotated[item_id] == state
        assert Item.objects.get(id=item_id).state_on(today) == state


def test_items_keep_an_audit_trail(users):
    item = Item.objects.create(text="任务")
    item.percent = 40
    item.save()
    assert [h.percent for h in item.history.order_by("history_date")] == [0, 40]
