"""The item list's text search: what it matches, and on PostgreSQL that its trigram indexes
(migration 0006_search_trigram_indexes) serve it."""

import pytest
from django.db import connection, transaction
from django.http import QueryDict

from tracker.models import Item, ItemPerson
from tracker.tracking.filters import ItemFilter

pytestmark = pytest.mark.django_db


def search(user, q):
    visible = Item.objects.visible_to(user)
    return ItemFilter(QueryDict(f"q={q}"), user=user, queryset=visible.with_state()).sorted()


def test_every_word_must_match_text_number_section_owner_or_person(users, units, make_item):
    school = make_item(
        "新建城东幼儿园一所", lead=units["jyj"], ref="二.(一).3", section="二、民生改善"
    )
    park = make_item("建设滨河公园", lead=units["fgj"], co=[units["jyj"]])
    ItemPerson.objects.create(item=park, role=ItemPerson.Role.LEADER, name="王副区长")
    office = users["supervisor"]
    assert list(search(office, "幼儿园")) == [school]
    assert list(search(office, "(一).3")) == [school]
    assert list(search(office, "民生改善")) == [school]
    assert set(search(office, "区教育局")) == {school, park}
    assert list(search(office, "区教育局 王副区长")) == [park]
    assert list(search(office, "王副区长 幼儿园")) == []
    assert list(search(users["staff"], "区教育局")) == [park]  # still scoped by visible_to


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="pg_trgm indexes exist on PostgreSQL only (DATABASE_URL=postgres://…)",
)
def test_on_postgresql_the_search_can_use_the_trigram_indexes(users, units, make_item):
    make_item("推进老旧小区改造", lead=units["fgj"])
    with transaction.atomic(), connection.cursor() as cursor:
        # Few rows here: forbid sequential scans so the plan shows whether an index CAN serve
        # the query (the expression must match UPPER(col::text) as icontains writes it).
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = search(users["supervisor"], "老旧小区").explain()
    for index in [
        "tracker_item_text_trgm",
        "tracker_item_ref_trgm",
        "tracker_item_section_trgm",
        "tracker_itemowner_name_trgm",
        "tracker_itemperson_name_trgm",
    ]:
        assert index in plan, plan
