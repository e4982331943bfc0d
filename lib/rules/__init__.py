"""rules: every number the cockpit judges by. The settings schema with DESIGN.md's defaults
(settings), set-based rule frames read from the store (frames), the project lights (lights), the
league table (league) and the cockpit aggregates over them (overview). Pure functions over pandas:
the pages, the exports and the CLI all call these, none computes a rule of its own."""
