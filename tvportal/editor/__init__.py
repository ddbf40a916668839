"""The content editor at /editor: sign-in, drafts, TV preview, versions, publishing, audit.

Kept import-light on purpose: tvportal/keys.py imports ``tvportal.editor.users``; the wiring lives
in ``tvportal.editor.setup``.
"""
