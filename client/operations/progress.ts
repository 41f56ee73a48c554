// Progress for long operations on stderr, only on a terminal (scripts and --json get clean output).
import cliProgress from 'cli-progress';

export interface ProgressBar {
  update(done: number, total: number, detail?: string): void;
  stop(): void;
}

const silent: ProgressBar = { update() {}, stop() {} };

export function progressBar(label: string, enabled = process.stderr.isTTY === true): ProgressBar {
  if (!enabled) return silent;
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {detail}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, detail = '') {
      if (!started) {
        bar.start(total, done, { detail });
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done, { detail });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** A spinner (an indeterminate bar) around one awaited operation. */
export async function withSpinner<T>(label: string, work: () => Promise<T>): Promise<T> {
  if (process.stderr.isTTY !== true) return work();
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let i = 0;
  const timer = setInterval(() => process.stderr.write(`\r${frames[i++ % frames.length]} ${label}`), 100);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    process.stderr.write(`\r${' '.repeat(label.length + 2)}\r`);
  }
}
