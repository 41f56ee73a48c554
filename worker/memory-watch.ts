// The worker's memory, watched: logged and exported as a Prometheus gauge, and past the
// configured limit a graceful shutdown (the supervisor restarts the worker with a fresh heap).
import { Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';

export interface MemoryWatchOptions {
  limitBytes: number; // 0: no limit
  intervalMs: number;
  logger: Logger;
  onLimitExceeded: (rssBytes: number) => void;
}

export function startMemoryWatch(options: MemoryWatchOptions): () => void {
  const gauge = Runtime.instance().metricMeter.createGauge(
    'herald_worker_rss_bytes',
    'int',
    'bytes',
    'resident memory of the herald worker process',
  );
  let tripped = false;
  let lastLogged = 0;
  const check = () => {
    const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
    gauge.set(rss);
    if (Date.now() - lastLogged >= 60_000) {
      lastLogged = Date.now();
      // Beside the resident set, what V8 holds (used, and reserved for the heap) and what lives
      // outside it (buffers): where a growing worker's memory is.
      options.logger.info(
        {
          rssBytes: rss,
          heapUsedBytes: heapUsed,
          heapTotalBytes: heapTotal,
          externalBytes: external,
          arrayBuffersBytes: arrayBuffers,
          limitBytes: options.limitBytes || null,
        },
        'worker memory',
      );
    }
    if (!tripped && options.limitBytes > 0 && rss > options.limitBytes) {
      tripped = true;
      options.logger.error(
        { rssBytes: rss, limitBytes: options.limitBytes },
        'worker memory limit exceeded: shutting down gracefully for a restart',
      );
      options.onLimitExceeded(rss);
    }
  };
  // The gauge has a value from the start; the limit is first checked one interval in, once the
  // worker is running (its shutdown needs that).
  gauge.set(process.memoryUsage().rss);
  const timer = setInterval(check, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
