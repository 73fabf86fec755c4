"""Import: an uploaded file becomes tracked items in four plain steps.

1. ``check_upload(name, data)`` — the cheap checks made while the user waits (size, empty,
   type told by content through ``formats.registry.sniff``, encoding of a .txt). Bad input raises :class:`ImportRejected`, whose
   message is shown to the user as is; nothing is stored.
2. ``start_import(user, name, data)`` — stores an :class:`~tracker.models.ImportJob` and,
   after the transaction commits, enqueues ``tracker.tasks.parse_import``.
3. ``run_import_job(job_id)`` — the task's body: extract the text (``formats/``: one extractor
   per format, tables as tab-separated rows), parse it, and store a preview
   (documents, items, owners resolved to Units where possible, warnings, and for a file or
   a 文号 seen before, which items are updates and which old items are gone).
4. ``confirm_import(job, user, decisions)`` — in ONE transaction creates or updates the
   SourceFile, SourceDocuments, Items, owners, people, deadlines and tags, and remembers each
   unit name the user mapped as a UnitAlias (or creates the Unit).

Re-import never deletes: matched items keep their status, percent and progress reports; old
items missing from the new version are listed in the preview and get a note on confirm. It is
a three-way merge (``merge.py``): what the parser said last time (``Item.parsed``), what the
office has now and what the parser says now; a field changed by hand is kept unless the office
picks the new value. The preview's choices are saved on the job as the office works
(``decisions.py``) and the page's rows come from ``review.py``.
"""
