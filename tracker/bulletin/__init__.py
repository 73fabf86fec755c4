"""通报 (a period's summary by unit) and 年终考核 (a year's score by unit).

Modules: figures.py (the counts, rates, ranking and scores, from the items), exports.py
(Excel and Word), views.py (the pages, the A4 print view, the downloads), mailing.py (the
monthly 通报 to leaders, sent by beat once per leader and month).
"""
