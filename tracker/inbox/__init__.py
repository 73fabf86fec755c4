"""Every user's inbox: messages about what concerns them, shown on the workbench and e-mailed.

Modules: texts.py (a message in the reader's language), post.py (who is told what, once),
deliver.py (messages to e-mails through the reminders' Delivery rows and senders), views.py
(the inbox page, marking read).

Exactly once: a message is keyed by (recipient, key) under a unique constraint; its e-mail is a
Delivery (kind notice for those who want mail at once, notice_daily for digest readers) that
claims it with a conditional UPDATE, sent by tracker.reminders.mail's claim-and-send.
"""
