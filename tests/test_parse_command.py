"""manage.py parse_gazette: summary or JSON, never the database."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.gazette.fixtures import DIVISION_OF_LABOUR, PROJECT_LIST


@pytest.fixture
def gazette(tmp_path):
    path = tmp_path / "g.txt"
    path.write_text(DIVISION_OF_LABOUR + "\n" + PROJECT_LIST, encoding="gb18030")
    return path


def test_it_prints_a_summary(gazette):
    out = StringIO()
    call_command("parse_gazette", str(gazette), stdout=out)
    assert "g.txt: 2 documents, 8 items" in out.getvalue()
    assert "某政办发〔2024〕9号" in out.getvalue()


def test_it_prints_json(gazette):
    out = StringIO()
    call_command("parse_gazette", str(gazette), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["source"] == "g.txt"
    assert len(data["documents"][1]["items"]) == 3


def test_it_writes_one_file_per_input(gazette, tmp_path):
    call_command(
        "parse_gazette", str(gazette), "--json", "--out", str(tmp_path / "o"), stdout=StringIO()
    )
    data = json.loads((tmp_path / "o" / "g.txt.json").read_text(encoding="utf-8"))
    assert data["documents"][0]["doc_number"] == "某政办发〔2024〕9号"


def test_a_binary_file_is_reported_not_a_traceback(tmp_path, gazette):
    blob = tmp_path / "scan.pdf"
    blob.write_bytes(b"%PDF\x00\x01\x02")
    err = StringIO()
    with pytest.raises(CommandError, match="1 of 2"):
        call_command("parse_gazette", str(blob), str(gazette), stdout=StringIO(), stderr=err)
    assert "scan.pdf" in err.getvalue()
