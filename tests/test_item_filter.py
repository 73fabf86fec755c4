"""One ItemFilter for the item list, the 台账 export and the dashboards, scoped to the user."""

import pytest
from django.test import Client

from tracker.models import ItemPerson, SourceDocument, SourceFile, Tag
from tracker.tracking.filters import ItemFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_units_items(units, make_item):
    source = SourceFile.objects.create(name="示范.txt", sha256="0" * 64, size=1)

    def document(n, title):
        return SourceDocument.objects.create(
            source_file=source,
            sha256=str(n) * 64,
            title=title,
            doc_number=f"示政发〔2030〕{n}号",
            line_start=1,
            line_end=2,
            text="x",
        )

    own_doc, other_doc = document(1, "本单位的来源文件"), document(2, "他单位的机密来源")
    own = make_item("本单位事项。", lead=units["fgj"], document=own_doc)
    other = make_item("他单位事项。", lead=units["jyj"], document=other_doc)
    ItemPerson.objects.create(item=own, role=ItemPerson.Role.LEADER, name="甲副区长")
    ItemPerson.objects.create(item=other, role=ItemPerson.Role.LEADER, name="乙副区长")
    own.tags.add(Tag.objects.create(name="本单位标签"))
    other.tags.add(Tag.objects.create(name="他单位标签"))
    return own, other


def page(user, url):
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("url", ["/dashboards/", "/dashboards/units/", "/items/"])
def test_finding_08_unit_staff_see_only_their_own_choices(users, two_units_items, url):
    html = page(users["staff"], url)
    assert "本单位的来源文件" in html and "甲副区长" in html
    assert "他单位的机密来源" not in html
    assert "乙副区长" not in html
    assert "他单位标签" not in html


def test_the_office_sees_every_choice(users, two_units_items):
    html = page(users["supervisor"], "/dashboards/")
    assert "他单位的机密来源" in html and "乙副区长" in html


def test_a_filter_outside_the_users_choices_is_refused_not_applied(users, two_units_items):
    own, other = two_units_items
    filterset = ItemFilter({"leader": "乙副区长"}, user=users["staff"])
    assert "leader" in filterset.errors
    assert list(filterset.qs) == [own]


def test_the_list_and_the_dashboards_select_the_same_items(users, units, two_units_items):
    own, other = two_units_items
    for params in (
        {"unit": units["jyj"].pk},
        {"leader": "乙副区长"},
        {"tag": "他单位标签"},
        {"document": other.document_id},
    ):
        assert list(ItemFilter(params, user=users["supervisor"]).qs) == [other]
