"""Group commit on the event loop: deliveries that arrive while a write is in flight are
written together next (one transaction, one fsync), so throughput does not stop at the disk's
fsync rate and no request waits for more than about two writes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool

from app.store import NewDelivery

WriteBatch = Callable[[list[NewDelivery]], list[bool]]


class BatchingIntake:
    def __init__(self, write: WriteBatch, max_batch: int = 512) -> None:
        self._write = write
        self._max_batch = max_batch
        self._pending: list[tuple[NewDelivery, asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def accept(self, delivery: NewDelivery) -> bool:
        """True once the delivery and its job are committed; False for a repeated delivery."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((delivery, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
            try:
                results = await run_in_threadpool(self._write, [item for item, _ in batch])
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for (_, future), accepted in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(accepted)
