"""A large 台账 export runs as a background job: progress page, then the asker's download."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tracker import tasks
from tracker.tracking import export_jobs


@pytest.fixture
def exports(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.DUBAN_EXPORT_INLINE_ROWS = 2
    return tmp_path


@pytest.mark.django_db
def test_a_small_export_is_written_within_the_request(client, users, units, make_item, exports):
    make_item(text="小台账事项。", lead=units["jyj"])
    client.force_login(users["supervisor"])
    response = client.get(reverse("item_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.django_db(transaction=True)
def test_a_large_export_runs_in_the_background_with_progress_and_a_download(
    client, users, units, make_item, exports, monkeypatch
):
    for n in range(5):
        make_item(text=f'=HYPERLINK("x") 第{n}项任务。', lead=units["jyj"])
    queued = []
    monkeypatch.setattr(tasks.export_ledger, "delay_on_commit", queued.append)
    client.force_login(users["supervisor"])
    response = client.get(reverse("item_export") + "?q=")
    assert response.status_code == 302
    job = queued[0]
    assert response["Location"] == reverse("item_export_job", args=[job])
    page = client.get(response["Location"])
    assert "排队" in page.content.decode()
    assert client.get(reverse("item_export_download", args=[job])).status_code == 404

    assert tasks.export_ledger(job) == export_jobs.DONE
    assert tasks.export_ledger(job) == export_jobs.DONE  # a second delivery does nothing
    page = client.get(reverse("item_export_job", args=[job])).content.decode()
    assert "共 5 条" in page
    download = client.get(reverse("item_export_download", args=[job]))
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    cells = [sheet.cell(row=r, column=c) for r in range(4, 9) for c in range(1, 12)]
    assert any(isinstance(c.value, str) and "第0项任务" in c.value for c in cells)
    # A cell written as =HYPERLINK(...) stays text, never a formula.
    formulas = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=")]
    assert all(c.data_type == "s" for c in formulas)

    # Only the user who asked may see it.
    client.force_login(users["leader"])
    assert client.get(reverse("item_export_job", args=[job])).status_code == 404
    assert client.get(reverse("item_export_download", args=[job])).status_code == 404
    assert client.get(reverse("item_export_job", args=["not-a-job"])).status_code == 404
