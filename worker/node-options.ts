// The V8 options a worker is deployed with (Dockerfile, docker-compose.yml, README): the benches
// and load tests start their workers with the same. A severity run reads its window in batches
// whose rows die young, but the old generation still fills with the batches that were in flight
// at a scavenge; with V8's default limit (a quarter of the machine's memory) it let that garbage
// grow to 250+ MiB before a full collection, and a one-group 1M-event run peaked at 558 MiB
// resident. Capped at 512 MiB, V8 collects sooner: the same run peaks at 338 MiB with at most
// 95 MiB of heap in use, and the 1M-event cycle's 50 concurrent runs fit too (docs/reporting.md,
// "Memory of a run").
export const WORKER_NODE_OPTIONS = '--max-old-space-size=512';
