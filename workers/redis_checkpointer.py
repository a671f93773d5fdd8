"""A LangGraph checkpointer over plain Redis (no RedisJSON / RediSearch modules needed).

Layout per thread and checkpoint namespace (``S`` is the ``\\x1f`` separator):

* ``{p}:cps:{thread}S{ns}``: sorted set of checkpoint ids (all score 0, so lexical order,
  which for LangGraph's uuid6 ids is creation order);
* ``{p}:cp:{thread}S{ns}S{id}``: hash ``type``, ``checkpoint``, ``metadata``, ``parent``;
* ``{p}:w:{thread}S{ns}S{id}``: hash of pending writes, field ``{task_id}S{idx}``;
* ``{p}:keys:{thread}``: set of every key above, for ``delete_thread`` and the TTL.

Each key expires ``ttl_s`` after it was written (one Lua call per write, no scan of the
thread): a thread's newest checkpoint is always the last thing of it to expire.

Writes are write-behind by default (:mod:`workers.write_behind`): ``put``/``put_writes``
queue their Lua call and return, one thread sends the queue a round trip at a time, in
order. A read of a thread first waits until this process's writes of that thread are sent
(``list`` and ``delete_thread`` flush everything), so a process reads its own writes without
waiting for other jobs' writes; call :meth:`RedisCheckpointer.flush` before reporting a job
finished. A worker that dies loses at most the writes of its last moments, as with
LangGraph's ``async`` durability: the job resumes from the newest checkpoint that reached
Redis.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

import redis
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    SerializerProtocol,
    get_checkpoint_id,
    get_checkpoint_metadata,
    writes_sort_key,
)

from workers.write_behind import WriteBehind

__all__ = ["RedisCheckpointer"]

_SEP = "\x1f"

# One round trip per write. KEYS[1] is the thread's key registry; every key written is added
# to it, and the registry and the written keys get the TTL (ARGV[1], 0: none).
_PUT = """
redis.call('HSET', KEYS[3], 'type', ARGV[3], 'checkpoint', ARGV[4], 'metadata', ARGV[5],
           'parent', ARGV[6])
redis.call('ZADD', KEYS[2], 0, ARGV[2])
redis.call('SADD', KEYS[1], KEYS[2], KEYS[3])
local ttl = tonumber(ARGV[1])
if ttl > 0 then
  for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ttl) end
end
"""

# KEYS: registry, writes hash; ARGV: ttl, replace (1: HSET, 0: HSETNX), then field/value pairs.
_PUT_WRITES = """
local cmd = ARGV[2] == '1' and 'HSET' or 'HSETNX'
for i = 3, #ARGV, 2 do redis.call(cmd, KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('SADD', KEYS[1], KEYS[2])
local ttl = tonumber(ARGV[1])
if ttl > 0 then
  for i = 1, 2 do redis.call('EXPIRE', KEYS[i], ttl) end
end
"""


class RedisCheckpointer(BaseCheckpointSaver[str]):
    """Thread-safe (redis-py pools connections) checkpoint saver for distributed workers."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        ttl_s: int | None = 7 * 24 * 3600,
        prefix: str = "ff:lg",
        serde: SerializerProtocol | None = None,
        write_behind: bool = True,
    ) -> None:
        super().__init__(serde=serde)
        if client.get_connection_kwargs().get("decode_responses"):
            raise ValueError("RedisCheckpointer needs a client with decode_responses=False")
        self._redis = client
        self._ttl = ttl_s
        self._prefix = prefix
        self._put = client.register_script(_PUT)
        self._put_writes = client.register_script(_PUT_WRITES)
        self._behind = WriteBehind(client) if write_behind else None
        self._new_threads: set[str] = set()

    def expect_new_thread(self, thread_id: str) -> None:
        """The caller knows that ``thread_id`` has no checkpoint yet (a job's first attempt):
        the next read of its newest checkpoint answers None without a round trip."""
        if len(self._new_threads) > 10_000:  # hints never followed by a read
            self._new_threads.clear()
        self._new_threads.add(str(thread_id))

    def _write(self, thread: str, script: Any, *, keys: list[Any], args: list[Any]) -> None:
        if self._behind is None:
            script(keys=keys, args=args)
        else:
            self._behind.submit(script, keys, args, tag=thread)

    def _wait_for_thread(self, thread: str) -> None:
        """Wait until this process's writes of ``thread`` are in Redis."""
        if self._behind is not None:
            self._behind.flush(tag=thread)

    def flush(self, timeout_s: float | None = 30.0) -> None:
        """Wait until every checkpoint write made so far is in Redis (write-behind mode)."""
        if self._behind is not None:
            self._behind.flush(timeout_s)

    def close(self) -> None:
        """Send pending writes and stop the write-behind thread."""
        if self._behind is not None:
            self._behind.close()

    @classmethod
    def from_url(cls, url: str, **options: Any) -> RedisCheckpointer:
        return cls(redis.Redis.from_url(url, retry_on_timeout=True), **options)

    # -- keys -------------------------------------------------------------------------------
    def _index_key(self, thread: str, ns: str) -> str:
        return f"{self._prefix}:cps:{thread}{_SEP}{ns}"

    def _cp_key(self, thread: str, ns: str, cp_id: str) -> str:
        return f"{self._prefix}:cp:{thread}{_SEP}{ns}{_SEP}{cp_id}"

    def _writes_key(self, thread: str, ns: str, cp_id: str) -> str:
        return f"{self._prefix}:w:{thread}{_SEP}{ns}{_SEP}{cp_id}"

    def _thread_keys(self, thread: str) -> str:
        return f"{self._prefix}:keys:{thread}"

    # -- reads ------------------------------------------------------------------------------
    def _load(self, thread: str, ns: str, cp_id: str) -> CheckpointTuple | None:
        with self._redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(self._cp_key(thread, ns, cp_id))
            pipe.hgetall(self._writes_key(thread, ns, cp_id))
            stored, writes = pipe.execute()
        if not stored:
            return None
        parent = stored.get(b"parent", b"").decode()
        pending = []
        for field, value in writes.items():
            task_id, idx = field.decode().split(_SEP)
            task_path, channel, type_, blob = json.loads(value)
            pending.append((writes_sort_key(task_path, task_id, int(idx)), task_id, channel,
                            self.serde.loads_typed((type_, base64.b64decode(blob)))))
        pending.sort(key=lambda row: row[0])
        config = {"configurable": {"thread_id": thread, "checkpoint_ns": ns,
                                   "checkpoint_id": cp_id}}
        parent_config = (
            {"configurable": {"thread_id": thread, "checkpoint_ns": ns, "checkpoint_id": parent}}
            if parent else None
        )
        return CheckpointTuple(
            config,
            self.serde.loads_typed((stored[b"type"].decode(), stored[b"checkpoint"])),
            json.loads(stored[b"metadata"]),
            parent_config,
            [(task_id, channel, value) for _, task_id, channel, value in pending],
        )

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        configurable = config["configurable"]
        thread = str(configurable["thread_id"])
        ns = configurable.get("checkpoint_ns", "")
        cp_id = get_checkpoint_id(config)
        if not cp_id and not ns and thread in self._new_threads:
            self._new_threads.discard(thread)
            return None
        self._wait_for_thread(thread)
        if not cp_id:
            latest = self._redis.zrevrangebylex(self._index_key(thread, ns), "+", "-", 0, 1)
            if not latest:
                return None
            cp_id = latest[0].decode()
        return self._load(thread, ns, cp_id)

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        if config is None:
            raise ValueError("RedisCheckpointer.list needs a config with a thread_id")
        self.flush()
        configurable = config["configurable"]
        thread = str(configurable["thread_id"])
        namespaces = (
            [configurable["checkpoint_ns"]] if "checkpoint_ns" in configurable
            else self._namespaces(thread)
        )
        upper = f"({get_checkpoint_id(before)}" if before and get_checkpoint_id(before) else "+"
        rows: list[tuple[str, str]] = []
        for ns in namespaces:
            ids = self._redis.zrevrangebylex(self._index_key(thread, ns), upper, "-")
            rows.extend((cp.decode(), ns) for cp in ids)
        if cp_id := get_checkpoint_id(config):
            rows = [row for row in rows if row[0] == cp_id]
        rows.sort(reverse=True)
        yielded = 0
        for cp_id, ns in rows:
            if limit is not None and yielded >= limit:
                return
            found = self._load(thread, ns, cp_id)
            if found is None:
                continue
            if filter and any(found.metadata.get(k) != v for k, v in filter.items()):
                continue
            yielded += 1
            yield found

    def _namespaces(self, thread: str) -> list[str]:
        marker = f"{self._prefix}:cps:{thread}{_SEP}"
        keys = self._redis.smembers(self._thread_keys(thread))
        return sorted({k.decode()[len(marker):] for k in keys if k.decode().startswith(marker)})

    # -- writes ------------------------------------------------------------------------------
    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        configurable = config["configurable"]
        thread = str(configurable["thread_id"])
        ns = configurable.get("checkpoint_ns", "")
        type_, blob = self.serde.dumps_typed(checkpoint)
        meta = json.dumps(get_checkpoint_metadata(config, metadata), ensure_ascii=False)
        self._write(
            thread,
            self._put,
            keys=[self._thread_keys(thread), self._index_key(thread, ns),
                  self._cp_key(thread, ns, checkpoint["id"])],
            args=[self._ttl or 0, checkpoint["id"], type_, blob, meta,
                  configurable.get("checkpoint_id") or ""],
        )
        return {"configurable": {"thread_id": thread, "checkpoint_ns": ns,
                                 "checkpoint_id": checkpoint["id"]}}

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        configurable = config["configurable"]
        thread = str(configurable["thread_id"])
        ns = configurable.get("checkpoint_ns", "")
        key = self._writes_key(thread, ns, str(configurable["checkpoint_id"]))
        replace = all(channel in WRITES_IDX_MAP for channel, _ in writes)
        args: list[Any] = [self._ttl or 0, 1 if replace else 0]
        for idx, (channel, value) in enumerate(writes):
            type_, blob = self.serde.dumps_typed(value)
            args.append(f"{task_id}{_SEP}{WRITES_IDX_MAP.get(channel, idx)}")
            args.append(json.dumps([task_path, channel, type_, base64.b64encode(blob).decode()]))
        self._write(thread, self._put_writes, keys=[self._thread_keys(thread), key], args=args)

    def delete_thread(self, thread_id: str) -> None:
        self._new_threads.discard(str(thread_id))
        self.flush()
        registry = self._thread_keys(str(thread_id))
        keys = self._redis.smembers(registry)
        self._redis.delete(registry, *keys)

    def get_next_version(self, current: str | None, channel: None) -> str:
        if current is None:
            current_v = 0
        elif isinstance(current, int):
            current_v = current
        else:
            current_v = int(current.split(".")[0])
        return f"{current_v + 1:032}.{random.random():016}"

    # -- async: the same operations in a thread (redis-py's sync client is thread-safe) ------
    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return await asyncio.to_thread(self.get_tuple, config)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        found = await asyncio.to_thread(
            lambda: list(self.list(config, filter=filter, before=before, limit=limit))
        )
        for item in found:
            yield item

    async def aput(self, config: RunnableConfig, checkpoint: Checkpoint,
                   metadata: CheckpointMetadata, new_versions: ChannelVersions) -> RunnableConfig:
        return await asyncio.to_thread(self.put, config, checkpoint, metadata, new_versions)

    async def aput_writes(self, config: RunnableConfig, writes: Sequence[tuple[str, Any]],
                          task_id: str, task_path: str = "") -> None:
        await asyncio.to_thread(self.put_writes, config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id: str) -> None:
        await asyncio.to_thread(self.delete_thread, thread_id)
