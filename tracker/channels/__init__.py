"""Notification channels: one interface, `Channel.send(subject, text, markdown)`, with an
e-mail channel (the unit's mailbox) and a webhook channel (企业微信 / 钉钉 group robots).

announce.py offers an event to every active channel of the units concerned (once per channel
and event); send.py sends what is due, each delivery on its own, so a failing channel never
stops the others, and retries with a doubling back-off like e-mail.
"""
