"""Exemptions and baselines: steps that run after evaluation and change the status of findings.

* :mod:`engine.exemptions.documents` reads ``Exemption`` documents (validated in stages, conditions
  compiled once);
* :mod:`engine.exemptions.apply` marks the findings an exemption applies to ``exempted`` and reports
  each exemption's state (active, expiring, expired, unused, unchecked);
* :mod:`engine.exemptions.baseline` reads, applies, creates and updates baseline files: findings in
  the baseline are ``baselined``, and the entries the run no longer finds are listed as fixed.

Each step takes a :class:`~engine.findings.Result` and returns a new one; none of them evaluates a
policy. The reference is ``docs/exemptions.md`` and ``docs/baselines.md``.
"""
