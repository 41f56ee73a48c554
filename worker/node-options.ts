// The V8 options a worker is deployed with (docker-compose.yml, README): the benches
// and load tests start their workers with the same. A severity run reads its window in batches
// whose rows die young, but the old generation still fills with the batches that were in flight
// at a scavenge; with V8's default limit (a quarter of the machine's memory) it let that garbage
// grow to 250+ MiB before a full collection, and a one-group 1M-event run peaked at 558 MiB
// resident. Capped at 512 MiB, V8 collects sooner: the same run peaks at 377 MiB with at most
// 105 MiB of heap in use (with the semi-space below), and the 1M-event cycle's 50 concurrent runs fit too (docs/reporting.md,
// "Memory of a run"). A 32 MiB semi-space lets a batch die in the young generation instead of
// being copied and promoted while its run waits for the next one: the garbage collector took 18
// of the worker's 90 CPU seconds in the 1M-event cycle with V8's default.
export const WORKER_NODE_OPTIONS = '--max-old-space-size=512 --max-semi-space-size=32';
