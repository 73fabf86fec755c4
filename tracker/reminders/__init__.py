"""Which reminders fall due, to whom, and when they go out: the rules and the daily sweep.

Plain functions over the models; tracker/tasks.py calls them, mail.py sends.

Modules: rules.py (pure date rules), sweep.py (the daily sweep and fan-out to notices),
plan.py (notices to deliveries, the five-minute tick), mail.py (building and sending e-mails),
views.py (the office's reminder pages).

The rules (defaults; the supervision office edits ReminderSettings):
- a date due (an item's deadline or "13710" milestone, or its own due date when it has no
  dated Deadline rows) reminds 7, 3 and 1 working days before and on the day; a date falling on
  a holiday counts from the last working day before it;
- overdue: on each of the first 3 working days after, then every 5 working days (weekly);
  an item 5 or more working days late is escalated to the responsible leaders and the
  supervision office once per date due, by the first sweep that finds it so late (also when it
  was imported already late or the sweep was down longer than catch_up_days);
- progress reports: each recurring deadline (每月25日前 → monthly:25 …) and, for items without
  one, the default cycle (monthly, by the 25th) reminds 5, 3, 1 working days before and on the
  report day, and once the next working day if late, until a ProgressReport of the period exists.

Exactly once: the sweep computes, for every working day since the last finished sweep (at most
`catch_up_days` back), the keys (item, deadline, rule, date) due, and inserts them with
ignore_conflicts under the unique constraints; a re-run or a second worker adds nothing. Each
new Reminder then gets one Notice per recipient (unique too). The sweep's query count does not
depend on how many items exist: the rules are evaluated once per distinct date in Python and
the database is asked for the rows on those dates only (set-based, in chunks of reminders).

"""
