from django.urls import path

from exchange import excel_views, views, word_views

app_name = "exchange"

urlpatterns = [
    path("submission/<int:pk>/summary.pdf", views.summary_pdf, name="summary_pdf"),
    path("submission/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path(
        "submission/<int:pk>/printouts/<int:printout_pk>/state",
        views.printout_state,
        name="printout_state",
    ),
    path("submission/<int:pk>/report.docx", word_views.report_word, name="report_docx"),
    path(
        "campaign/<int:campaign_pk>/authority/<int:authority_pk>/summary.docx",
        word_views.summary_word,
        name="summary_docx",
    ),
    path(
        "campaign/<int:campaign_pk>/authority/<int:authority_pk>/documents.docx",
        word_views.authority_word,
        name="authority_docx",
    ),
    path(
        "campaign/<int:campaign_pk>/authority/<int:authority_pk>/documents.zip",
        word_views.authority_zip,
        name="authority_docx_zip",
    ),
    path("campaign/<int:campaign_pk>/documents.zip", word_views.national_zip, name="national_docx_zip"),
    path("case/<int:pk>/case.docx", word_views.case_word, name="case_docx"),
    path("submission/<int:pk>/scans/", views.scans, name="scans"),
    path("submission/<int:pk>/scans/<int:scan_pk>/file", views.scan_file, name="scan_file"),
    path("submission/<int:pk>/scans/<int:scan_pk>/state", views.scan_check_state, name="scan_check_state"),
    path("submission/<int:pk>/evidence/", views.evidence, name="evidence"),
    path("submission/<int:pk>/evidence/<int:evidence_pk>/file", views.evidence_file, name="evidence_file"),
    path("submission/<int:pk>/template.xlsx", excel_views.template_download, name="excel_template"),
    path("submission/<int:pk>/excel/", excel_views.excel, name="excel"),
    path("submission/<int:pk>/excel/confirm", excel_views.excel_confirm, name="excel_confirm"),
    path("excel/bulk/", excel_views.bulk_import, name="excel_bulk"),
    path("excel/export/", excel_views.export, name="excel_export"),
]
