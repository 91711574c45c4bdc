"""The contract suite's runtime: what ``contract_tests`` imports to send, bound and judge requests.

The layer between the spec model (:mod:`prevail_contract.spec`) and the suite: the target's
configuration from the ``PREVAIL_*`` variables (``config``), the one way a request is sent
(``sender``, under the run's ``bounds``, through the request ``guard`` with its ``safety``
limits), what was sent and answered (``exchange``), the verdicts a test files (``verdict``), the
pytest plugin that records them per rule (``recorder``), the per-rule ``results`` built from
that record, and the repro cases of failures (``repro``, with the runner of each script in
``repro_script``). It imports the spec model only: never the suite, the mock or the runner
(:mod:`prevail_contract.check`), which writes the reports and scripts from what it records.
"""
