// What `herald catalog import-ripe` prints: what it read, what it could not use, and the diff,
// as text (counts and the first examples) or as JSON (counts and up to JSON_EXAMPLES of each).
import type { RipePlan } from '../../domain/ripe/contacts';
import type { RipeDiff } from '../../domain/ripe/diff';

const TEXT_EXAMPLES = 10;
export const JSON_EXAMPLES = 1_000;

const n = (value: number) => value.toLocaleString('en-US');

function examples<T>(list: readonly T[], show: (item: T) => string): string[] {
  const lines = list.slice(0, TEXT_EXAMPLES).map((item) => `  ${show(item)}`);
  if (list.length > TEXT_EXAMPLES) lines.push(`  … ${n(list.length - TEXT_EXAMPLES)} more`);
  return lines;
}

export function diffCounts(diff: RipeDiff) {
  return {
    groupsAdded: diff.groupsAdded.length,
    groupsRemoved: diff.groupsRemoved.length,
    mailboxChanged: diff.mailboxChanged.length,
    conflicts: diff.conflicts.length,
    groupsUnchanged: diff.unchanged.groups,
    networksAdded: diff.networksAdded.length,
    networksRemoved: diff.networksRemoved.length,
    networksChanged: diff.networksChanged.length,
    networksUnchanged: diff.unchanged.networks,
  };
}

export function formatRipeImport(
  files: readonly string[],
  plan: RipePlan,
  diff: RipeDiff,
  dryRun: boolean,
): string {
  const c = plan.counts;
  const d = diffCounts(diff);
  const classes = Object.entries(c.byClass)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([cls, count]) => `${cls} ${n(count)}`)
    .join(', ');
  const lines = [
    `read ${files.length} file(s): ${n(c.objects)} object(s)${classes ? ` (${classes})` : ''}, ${n(c.malformed)} malformed (skipped)`,
    `ranges: ${n(c.ranges)}, ${n(c.outsideCountries)} outside --country, ${n(c.withContact)} with a contact, ` +
      `${n(c.inherited)} covered by an enclosing range, ${n(c.unresolved)} unresolved → ${n(c.groups)} group(s), ${n(c.networks)} network(s)`,
    `groups: ${n(d.groupsAdded)} added, ${n(d.groupsRemoved)} removed, ${n(d.mailboxChanged)} mailbox changed, ` +
      `${n(d.conflicts)} conflict(s), ${n(d.groupsUnchanged)} unchanged`,
    ...examples(diff.groupsAdded, (g) => `+ ${g.name} (${n(g.networks)} network(s))`),
    ...examples(diff.groupsRemoved, (g) => `- ${g.name} (${n(g.networks)} network(s))`),
    ...examples(diff.mailboxChanged, (g) => `~ ${g.from} → ${g.to}`),
    ...examples(
      diff.conflicts,
      (g) => `! ${g.name}: a hand-made group has this name; its ${n(g.networks)} network(s) not imported`,
    ),
    `networks: ${n(d.networksAdded)} added, ${n(d.networksRemoved)} removed, ${n(d.networksChanged)} changed, ` +
      `${n(d.networksUnchanged)} unchanged`,
    ...examples(diff.networksAdded, (x) => `+ ${x.network} ${x.name} (${x.group})`),
    ...examples(diff.networksRemoved, (x) => `- ${x.network} ${x.name} (${x.group})`),
    ...examples(diff.networksChanged, (x) => `~ ${x.network} ${x.was} → ${x.name} (${x.group})`),
  ];
  if (plan.problems.length) {
    lines.push('malformed objects (skipped):');
    lines.push(
      ...examples(
        plan.problems,
        (p) => `${p.file}:${p.line}: ${p.attribute ? `${p.attribute}: ` : ''}${p.message}`,
      ),
    );
  }
  if (plan.unresolved.length) {
    lines.push('ranges without an abuse contact (all of them with --json):');
    lines.push(
      ...examples(plan.unresolved, (u) => `${u.file}:${u.line}: ${u.range} ${u.netname}: ${u.reason}`),
    );
  }
  lines.push(dryRun ? 'dry run: nothing changed' : 'applied in one transaction');
  return `${lines.join('\n')}\n`;
}

export function ripeImportJson(files: readonly string[], plan: RipePlan, diff: RipeDiff, dryRun: boolean) {
  const cap = <T>(list: readonly T[]) => list.slice(0, JSON_EXAMPLES);
  return {
    dryRun,
    applied: !dryRun,
    files,
    counts: plan.counts,
    diff: {
      counts: diffCounts(diff),
      groupsAdded: cap(diff.groupsAdded),
      groupsRemoved: cap(diff.groupsRemoved),
      mailboxChanged: cap(diff.mailboxChanged),
      conflicts: cap(diff.conflicts),
      networksAdded: cap(diff.networksAdded),
      networksRemoved: cap(diff.networksRemoved),
      networksChanged: cap(diff.networksChanged),
    },
    problems: plan.problems,
    unresolved: plan.unresolved,
  };
}
