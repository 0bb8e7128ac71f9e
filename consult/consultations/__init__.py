"""Consultations on drafts: paragraph-anchored comments, versions with diffs, and a published response to each
comment (the "comment matrix").

One module per idea: :mod:`.models` (tables), :mod:`.drafts` (Markdown and .docx into numbered paragraphs),
:mod:`.versions` (aligning versions, carrying paragraph identifiers over, word-level diffs), :mod:`.access` (who may
read, comment, moderate), :mod:`.comments` (the rules of commenting), :mod:`.notify` (mails and unsubscribe),
:mod:`.matrix` (the comment matrix and its exports), :mod:`.views` and :mod:`.routes` (the pages).
"""
