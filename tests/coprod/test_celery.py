import pytest

from coprod.core.tasks import ping


def test_ping_runs_in_process_without_a_broker():
    assert ping.delay().get(timeout=5) == "pong"


@pytest.mark.redis
def test_ping_goes_through_redis_to_a_real_worker(celery_worker):
    result = ping.apply_async(queue=celery_worker.queue)
    try:
        assert result.get(timeout=60) == "pong"
    except Exception:
        celery_worker.terminate()
        print(celery_worker.communicate(timeout=10)[0])
        raise


@pytest.mark.redis
def test_tasks_queued_by_default_reach_the_test_worker(celery_worker):
    assert ping.delay().get(timeout=60) == "pong"
