"""intake: uploads from county staff and the office. The upload-kind registry (kinds: columns, key,
tables, permission, row builder, header aliases, template sheet of every kind), reading CSV/xlsx safely (parsing), the upload
templates (templates), and validation, all-or-nothing import, warnings and undo (importer)."""
