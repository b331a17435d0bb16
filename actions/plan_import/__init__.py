"""Importing an action plan from XLSX or CSV, in three modules:

- `files`: read the sheet and find its header row; the templates, the stored upload, and the
  report of skipped rows;
- `columns`: which column holds which field (matched by heading and the first rows' cells,
  remembered per user and for the office), reading each cell's value (UK, ISO and Excel dates,
  statuses and RAG in the words offices use, percentages), and the inspection a cell names;
- `preview`: the preview (each row: create, update, no change or error, with the errors named by
  row and column), and applying it through the services in one transaction, with
  "Imported from <file name>" as the reason in history.

Nothing is written until `preview.apply_plan`; the preview only reads, in a fixed number of queries.
"""
