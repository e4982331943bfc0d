"""intake: uploads from county staff and the office. Reading CSV/xlsx safely (parsing), the upload
templates (templates), and validation, all-or-nothing import, warnings and undo (importer)."""
