"""`consult serve` killed with SIGKILL in the middle of the load and started again: the respondents resume and
nothing acknowledged is lost (issue #8).

This is ``bench/load_respondents.py --kill-after S`` at a size that fits CI, on a database of the fault tests'
private cluster: simulated respondents go through the real pages of the demo survey; a request that got no answer
while the server was away is sent again as it was; at the end every page the server acknowledged (303) is compared
with the database answer by answer (nothing missing, nothing extra, steps and page submissions as acknowledged, no
response created twice). The test also checks that the kill really fell in the middle of the run: pages were
acknowledged before it and after the restart, and requests were sent again.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest

from bench import load_respondents

RESPONDENTS = 50
KILL_AFTER = 2.0  # seconds into the run; arrivals are spread over the first two


@pytest.fixture(scope="module")
def load_database(private_pg):
    """A database on the private cluster for this module, dropped afterwards. The first ``run`` migrates it and
    loads the demo (7 s); the next finds both done. Each run compares only the responses created since it began
    (its server started seconds after the previous run's last request), so the runs do not see each other's."""
    if not private_pg.running:  # a previous test failed with the cluster stopped
        private_pg.start()
        private_pg.wait_ready()
    name = f"faults_killed_{uuid.uuid4().hex[:8]}"
    url = private_pg.create_database(name)
    try:
        yield url
    finally:
        with psycopg.connect(private_pg.url, autocommit=True, connect_timeout=10) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
@pytest.mark.timeout(120)
@pytest.mark.parametrize("workers", [1, 2])
def test_server_killed_under_load_and_restarted_loses_nothing_acknowledged(load_database, workers, tmp_path):
    outcome = load_respondents.run(load_database, respondents=RESPONDENTS, workers=workers, kill_after=KILL_AFTER,
                                   seed=workers, max_seconds=90, data_dir=tmp_path)
    report = "\n".join(outcome.report(RESPONDENTS, workers)
                       + [f"  pages acknowledged before the kill {outcome.acknowledged_before_kill}, "
                          f"after the restart {outcome.acknowledged_after_restart}"])
    print("\n" + report)
    context = f"{report}\n{outcome.problems[:20]}\nserver log:\n{outcome.server_log}"

    # The kill happened, in the middle: pages were acknowledged before it and after the restart, and some requests
    # went unanswered while the server was away and were sent again.
    assert len(outcome.events) == 2 and outcome.events[0].startswith("SIGKILL"), context
    assert outcome.acknowledged_before_kill > 0, context
    assert outcome.acknowledged_after_restart > 0, context
    assert sum(ledger.retried for ledger in outcome.ledgers) > 0, context

    # Every respondent resumed and got to the end (or, for a few, to "your answers have been deleted").
    assert outcome.finished == RESPONDENTS, context
    assert all(ledger.complete or ledger.withdrawn for ledger in outcome.ledgers), context

    # Every acknowledged answer is in the database, nothing else is, no response was duplicated.
    assert outcome.problems == [], context
