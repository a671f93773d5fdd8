"""A LangGraph checkpointer over plain Redis (no RedisJSON / RediSearch modules needed).

Layout per thread and checkpoint namespace (``S`` is the ``\\x1f`` separator):

* ``{p}:cps:{thread}S{ns}``: sorted set of checkpoint ids (all score 0, so lexical order,
  which for LangGraph's uuid6 ids is creation order);
* ``{p}:cp:{thread}S{ns}S{id}``: hash ``type``, ``checkpoint``, ``metadata``, ``parent``;
* ``{p}:w:{thread}S{ns}S{id}``: hash of pending writes, field ``{task_id}S{idx}``;
* ``{p}:keys:{thread}``: set of every key above, for ``delete_thread`` and the TTL.

Each key expires ``ttl_s`` after it was written (one round trip per write, no scan of the
thread): a thread's newest checkpoint is always the last thing of it to expire.
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

__all__ = ["RedisCheckpointer"]

_SEP = "\x1f"


class RedisCheckpointer(BaseCheckpointSaver[str]):
    """Thread-safe (redis-py pools connections) checkpoint saver for distributed workers."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        ttl_s: int | None = 7 * 24 * 3600,
        prefix: str = "ff:lg",
        serde: SerializerProtocol | None = None,
    ) -> None:
        super().__init__(serde=serde)
        if client.get_connection_kwargs().get("decode_responses"):
            raise ValueError("RedisCheckpointer needs a client with decode_responses=False")
        self._redis = client
        self._ttl = ttl_s
        self._prefix = prefix

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

    def _touch(self, pipe: Any, thread: str, keys: Sequence[str]) -> None:
        registry = self._thread_keys(thread)
        pipe.sadd(registry, *keys)
        if self._ttl:
            for key in (registry, *keys):
                pipe.expire(key, self._ttl)

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
        index, key = self._index_key(thread, ns), self._cp_key(thread, ns, checkpoint["id"])
        with self._redis.pipeline(transaction=False) as pipe:
            pipe.hset(key, mapping={
                "type": type_, "checkpoint": blob, "metadata": meta,
                "parent": configurable.get("checkpoint_id") or "",
            })
            pipe.zadd(index, {checkpoint["id"]: 0})
            self._touch(pipe, thread, [index, key])
            pipe.execute()
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
        with self._redis.pipeline(transaction=False) as pipe:
            for idx, (channel, value) in enumerate(writes):
                type_, blob = self.serde.dumps_typed(value)
                field = f"{task_id}{_SEP}{WRITES_IDX_MAP.get(channel, idx)}"
                encoded = json.dumps([task_path, channel, type_,
                                      base64.b64encode(blob).decode()])
                (pipe.hset if replace else pipe.hsetnx)(key, field, encoded)
            self._touch(pipe, thread, [key])
            pipe.execute()

    def delete_thread(self, thread_id: str) -> None:
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
