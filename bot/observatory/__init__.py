"""National-observatory indicators over the declarations stored in Vigie.

- ``period``: the reporting period (Europe/Paris calendar) and its months;
- ``fr``: French number formats ("1 234", "48,3 %");
- ``scope``: one region and/or one structure type, or everything, named in French;
- ``indicators``: ``compute(declarations, since, until, scope)``, the figures of
  the ANS annual observatory report;
- ``tables``: for each chart, its title, its text summary and its data table;
- ``charts``: the charts as SVG (web page) and PNG (PDF), rendered with matplotlib;
- ``report``: the PDF report and the CSV of the indicators;
- ``generator``: synthetic declarations drawn from ``profile`` (distributions,
  with their guidance.md sources), ``population`` (structures, FINESS) and
  ``narratives`` (French free text, systems hit);
- ``synthetic``: stores them in the demonstration database, and its CLI
  ``python -m bot.observatory.synthetic --year 2025``.
"""
