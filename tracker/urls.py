from django.urls import path

from tracker.bulletin import views as bulletin_views
from tracker.imports import views as import_views
from tracker.inbox import views as inbox_views
from tracker.reminders import views as reminder_views
from tracker.supervision import views as supervision_views
from tracker.tracking import (
    edit_views,
    export_views,
    periodic,
    review_views,
    unit_groups,
    views,
    workbench,
)

urlpatterns = [
    path("", workbench.home, name="home"),
    # Tracking and workflow (tracker/tracking/views.py)
    path("items/", views.item_list, name="item_list"),
    path("items/export/", views.item_export, name="item_export"),
    path("items/export/<str:job>/", export_views.export_job, name="item_export_job"),
    path(
        "items/export/<str:job>/download/",
        export_views.export_download,
        name="item_export_download",
    ),
    path("items/new/", views.adhoc_create, name="adhoc_create"),
    path("items/sign/", review_views.items_sign, name="items_sign"),
    path("report/", periodic.periodic_report, name="periodic_report"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/sign/", views.item_sign, name="item_sign"),
    path("items/<int:pk>/report/", views.item_report, name="item_report"),
    path("items/<int:pk>/extension/", views.item_extension, name="item_extension"),
    path("items/<int:pk>/completion/", views.item_completion, name="item_completion"),
    path("items/<int:pk>/grade/", views.item_grade, name="item_grade"),
    path("items/<int:pk>/comment/", views.item_comment, name="item_comment"),
    path("items/<int:pk>/urge/", views.item_urge, name="item_urge"),
    path("items/<int:pk>/edit/", edit_views.item_edit, name="item_edit"),
    path("items/<int:pk>/split/", edit_views.item_split, name="item_split"),
    path("items/<int:pk>/withdraw/", edit_views.item_withdraw, name="item_withdraw"),
    path(
        "items/<int:pk>/requests/<int:request_id>/decide/",
        views.request_decide,
        name="request_decide",
    ),
    path(
        "items/<int:pk>/requests/<int:request_id>/review/",
        review_views.request_unit_review,
        name="request_unit_review",
    ),
    path(
        "items/<int:pk>/reports/<int:report_id>/confirm/",
        review_views.report_confirm,
        name="report_confirm",
    ),
    path(
        "items/<int:pk>/reports/<int:report_id>/return/",
        review_views.report_return,
        name="report_return",
    ),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    # Unit groups (tracker/tracking/unit_groups.py)
    path("units/groups/", unit_groups.group_list, name="unit_groups"),
    path("units/groups/new/", unit_groups.group_edit, name="unit_group_new"),
    path("units/groups/<int:pk>/", unit_groups.group_edit, name="unit_group_edit"),
    # Import (tracker/imports/views.py)
    path("import/", import_views.upload, name="import_upload"),
    path("import/<int:pk>/", import_views.job_page, name="import_job"),
    path("import/<int:pk>/status/", import_views.job_status, name="import_status"),
    path("import/<int:pk>/preview/", import_views.preview, name="import_preview"),
    path("import/<int:pk>/decisions/", import_views.save_decisions, name="import_decisions"),
    path("import/<int:pk>/result/", import_views.result, name="import_result"),
    # 督办单 (tracker/supervision/views.py)
    path("supervision/", supervision_views.notice_list, name="supervision_list"),
    path("supervision/new/", supervision_views.notice_new, name="supervision_new"),
    path("supervision/<int:pk>/", supervision_views.notice_detail, name="supervision_detail"),
    path("supervision/<int:pk>/reply/", supervision_views.notice_reply, name="supervision_reply"),
    path("supervision/<int:pk>/print/", supervision_views.notice_print, name="supervision_print"),
    path("supervision/<int:pk>/pdf/", supervision_views.notice_pdf, name="supervision_pdf"),
    # 通报 and 年终考核 (tracker/bulletin/views.py)
    path("bulletin/", bulletin_views.bulletin, name="bulletin"),
    path("bulletin/print/", bulletin_views.bulletin_print, name="bulletin_print"),
    path("bulletin/xlsx/", bulletin_views.bulletin_xlsx, name="bulletin_xlsx"),
    path("bulletin/docx/", bulletin_views.bulletin_docx, name="bulletin_docx"),
    path("assessment/", bulletin_views.assessment, name="assessment"),
    path("assessment/xlsx/", bulletin_views.assessment_xlsx, name="assessment_xlsx"),
    path(
        "assessment/<int:year>/<int:unit_id>/",
        bulletin_views.assessment_unit,
        name="assessment_unit",
    ),
    # Inbox (tracker/inbox/views.py)
    path("inbox/", inbox_views.inbox, name="inbox"),
    path("inbox/<int:pk>/", inbox_views.inbox_open, name="inbox_open"),
    path("inbox/read/", inbox_views.inbox_read, name="inbox_read"),
    # Reminders (tracker/reminders/views.py)
    path("reminders/", reminder_views.my_reminders, name="my_reminders"),
    path("reminders/failures/", reminder_views.reminder_failures, name="reminder_failures"),
    path("reminders/failures/retry/", reminder_views.reminder_retry, name="reminder_retry"),
]
