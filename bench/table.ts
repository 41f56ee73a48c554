// Turns a saved `npm run bench -- --json` result into the Markdown table of bench/README.md.
//   node --import tsx bench/table.ts results.json
import { readFileSync } from 'node:fs';
import type { Figure } from './lib/figures';
import type { BenchReport } from './lib/harness';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: bench/table.ts RESULTS.json\n');
  process.exit(2);
}
// `npm run bench` (without -s) prints its own banner before the JSON.
const text = readFileSync(file, 'utf8');
const report = JSON.parse(text.slice(text.search(/^\{/m))) as BenchReport;
const n = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US') : String(v ?? '—'));

/** The headline number of a figure: a rate where there is one. */
function headline(values: Record<string, unknown>): string {
  for (const key of [
    'eventsPerSecond',
    'linesPerSecond',
    'groupRunsPerSecond',
    'rendersPerSecond',
    'mailsPerSecond',
  ])
    if (key in values) return `${n(values[key])} ${key.replace('PerSecond', '/s')}`;
  if ('medianMs' in values) return `median ${n(values.medianMs)} ms, max ${n(values.maxMs)} ms`;
  return '—';
}

function time(values: Record<string, unknown>): string {
  return 'seconds' in values ? `${n(values.seconds)} s` : '—';
}

const rows = report.figures.map((f: Figure) => {
  const inputs = Object.entries(f.inputs)
    .filter(([k]) => k !== 'generator' && k !== 'window')
    .map(([k, v]) => `${k} ${n(v)}`)
    .join(', ');
  return `| ${f.name} | ${inputs} | ${time(f.herald)} · ${headline(f.herald)} | ${f.baseline ? `${time(f.baseline)} · ${headline(f.baseline)}` : '—'} | **${f.ratio.value ?? '—'}×** ${f.ratio.meaning} | ${n(f.peakRssMiB)} |`;
});
// Where the CPU went, for the figures that account for it (reporting cycles): roles by CPU seconds,
// "other" only when it is at least a second.
const byRole = (seconds: Record<string, number>) =>
  Object.entries(seconds)
    .filter(([role, s]) => role !== 'other' || s >= 1)
    .sort((a, b) => b[1] - a[1])
    .map(([role, s]) => `${role} ${n(s)} s`)
    .join(', ');
const cpuLines = report.figures
  .filter((f) => f.cpuSeconds)
  .map((f) => {
    const busy = f.machineBusy === undefined ? '' : `; all cores ${Math.round(f.machineBusy * 100)} % busy`;
    const scan = f.baselineCpuSeconds ? `; the raw scan: ${byRole(f.baselineCpuSeconds)}` : '';
    const perEvent =
      f.herald.cpuMicrosecondsPerEvent != null && f.baseline?.cpuMicrosecondsPerEvent != null
        ? `; per event ${n(f.herald.cpuMicrosecondsPerEvent)} µs of CPU against the scan's ${n(f.baseline.cpuMicrosecondsPerEvent)} µs` +
          (f.cpuRatio?.value != null ? ` (**${f.cpuRatio.value}×**)` : '')
        : '';
    return `- CPU during the ${f.name}: ${byRole(f.cpuSeconds!)}${busy}${scan}${perEvent}`;
  });
process.stdout.write(
  [
    `Run ${report.startedAt} → ${report.finishedAt}, size \`${report.size}\`, seed ${report.seed}; ${report.machine}.`,
    '',
    '| figure | inputs | herald | baseline (same run) | ratio | peak RSS MiB |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    ...report.skipped.map((s) => `| ${s.benchmark} | — | skipped: ${s.reason} | — | — | — |`),
    '',
    ...(cpuLines.length > 0 ? [...cpuLines, ''] : []),
  ].join('\n'),
);
