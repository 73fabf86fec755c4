"""督办单: the supervision office's numbered notices to units, their replies and escalation.

Modules: notices.py (issue, reply, escalate: plain functions), forms.py, views.py (pages, the
A4 print view), pdf.py (the PDF download, fpdf2 with a CJK font from fonts-noto-cjk).
"""
