"""Write-behind of Redis script calls against a real redis-server: order, replies, errors."""

from __future__ import annotations

import pytest
import redis

from tests.fixtures.services import RedisServer
from workers.write_behind import WriteBehind, WriteBehindError

pytestmark = pytest.mark.integration

PUSH = "redis.call('RPUSH', KEYS[1], ARGV[1]); return redis.call('LLEN', KEYS[1])"


@pytest.fixture
def client(redis_url):
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    client.close()


def test_calls_arrive_in_order_and_replies_come_back(client):
    behind = WriteBehind(client)
    push = client.register_script(PUSH)
    replies = []
    for i in range(500):
        behind.submit(push, ["log"], [i], on_result=replies.append)
    assert behind.call(push, ["log"], ["last"]) == 501
    assert client.lrange("log", 0, -1) == [str(i) for i in range(500)] + ["last"]
    assert replies == list(range(1, 501))
    behind.close()
    with pytest.raises(WriteBehindError):
        behind.submit(push, ["log"], ["after close"])


def test_a_failed_call_is_reported_to_the_next_flush_and_later_calls_go_on(client):
    behind = WriteBehind(client)
    push = client.register_script(PUSH)
    client.set("not-a-list", "x")
    behind.submit(push, ["not-a-list"], [1])
    with pytest.raises(WriteBehindError, match="WRONGTYPE"):
        behind.flush()
    assert behind.call(push, ["log"], ["ok"]) == 1  # the error was reported once
    behind.close()


def test_scripts_lost_by_a_redis_restart_are_loaded_again(client):
    behind = WriteBehind(client)
    push = client.register_script(PUSH)
    assert behind.call(push, ["log"], ["a"]) == 1
    client.script_flush()
    assert behind.call(push, ["log"], ["b"]) == 2
    behind.close()


def test_waiting_for_a_ticket_means_that_call_and_all_before_it_are_in_redis(client):
    behind = WriteBehind(client)
    push = client.register_script(PUSH)
    tickets = [behind.submit(push, ["tickets"], [i]) for i in range(200)]
    assert tickets == sorted(tickets) and len(set(tickets)) == 200
    behind.wait(tickets[99])
    assert behind.sent >= tickets[99]
    assert client.lrange("tickets", 0, 99) == [str(i) for i in range(100)]
    behind.close()


def test_a_tagged_flush_waits_for_that_tags_calls_alone(client, redis_url):
    behind = WriteBehind(client)
    push = client.register_script(PUSH)
    behind.submit(push, ["job-a"], ["a1"], tag="a")
    behind.flush(tag="a")
    assert client.lrange("job-a", 0, -1) == ["a1"]
    admin = redis.Redis.from_url(redis_url)
    admin.client_pause(5000, all=False)  # writes stall: job b's call cannot be sent
    try:
        behind.submit(push, ["job-b"], ["b1"], tag="b")
        behind.flush(tag="a")  # a's calls are all sent: no wait
        behind.flush(tag="never-written")
        with pytest.raises(WriteBehindError, match="not sent within"):
            behind.flush(0.3, tag="b")
    finally:
        admin.client_unpause()
        admin.close()
    behind.flush(tag="b")
    assert client.lrange("job-b", 0, -1) == ["b1"]
    behind.close()


def test_writes_queued_while_redis_is_down_arrive_in_order_once_it_is_back(tmp_path):
    server = RedisServer(tmp_path).start()
    client = redis.Redis.from_url(server.url, decode_responses=True, socket_connect_timeout=1)
    behind = WriteBehind(client)
    push = client.register_script(PUSH)
    try:
        behind.call(push, ["log"], ["before"])
        server.stop()
        for i in range(5):  # queued while Redis is away: no error to the caller
            behind.submit(push, ["log"], [i])
        with pytest.raises(WriteBehindError, match="not sent within"):
            behind.flush(timeout_s=1.0)  # a transient error for whoever waits
        server.start()  # append-only: "before" survives; the script cache does not
        behind.flush(timeout_s=30)
        assert client.lrange("log", 0, -1) == ["before", "0", "1", "2", "3", "4"]
        behind.submit(push, ["log"], ["after"])  # and the queue goes on
        behind.flush()
        assert client.lrange("log", -1, -1) == ["after"]
    finally:
        behind.close()
        client.close()
        server.stop()
