// What a RIPE import changes in the catalog (docs/ripe-import.md): compares the plan built from
// the dumps with the groups and networks a previous import made (origin 'ripe'). A group is its
// mailbox; a mailbox that is new while one of the old RIPE groups reached by the same abuse-c
// handle is gone is that group's mailbox changed, so the group keeps its id and the operator's
// settings. Hand-made groups are never changed: a mailbox that names one is a conflict, skipped.
import { formatNetwork, parseNetwork } from '../idea/network';
import type { RipeGroup, RipeNetwork } from './contacts';

export interface StoredRipeNetwork extends RipeNetwork {
  id: number;
}

export interface StoredRipeGroup {
  id: number;
  name: string;
  handles: string[];
  networks: StoredRipeNetwork[];
}

export interface GroupChange {
  name: string;
  networks: number;
}

export interface NetworkChange {
  group: string;
  network: string;
  name: string;
}

export interface RipeDiff {
  groupsAdded: GroupChange[];
  groupsRemoved: GroupChange[];
  mailboxChanged: { from: string; to: string }[];
  /** Mailboxes that are the name of a hand-made group: not imported. */
  conflicts: GroupChange[];
  networksAdded: NetworkChange[];
  networksRemoved: NetworkChange[];
  /** Same CIDR in the same group, another netname, description or rank. */
  networksChanged: (NetworkChange & { was: string })[];
  unchanged: { groups: number; networks: number };
}

/** What to write: the diff in terms of rows. */
export interface RipeChanges {
  diff: RipeDiff;
  create: RipeGroup[];
  deleteGroupIds: number[];
  /** Every RIPE group that stays: its (new) name, mailbox and handles. */
  keep: { id: number; from: string; to: string; handles: string[] }[];
  insertNetworks: { groupId: number; network: RipeNetwork }[];
  deleteNetworkIds: number[];
  updateNetworks: { id: number; network: RipeNetwork }[];
}

const normal = (network: string) => {
  const parsed = parseNetwork(network);
  return parsed ? formatNetwork(parsed) : network;
};
const byText =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };

export function diffRipe(
  planned: readonly RipeGroup[],
  stored: readonly StoredRipeGroup[],
  handMade: ReadonlySet<string>,
): RipeChanges {
  const changes: RipeChanges = {
    diff: {
      groupsAdded: [],
      groupsRemoved: [],
      mailboxChanged: [],
      conflicts: [],
      networksAdded: [],
      networksRemoved: [],
      networksChanged: [],
      unchanged: { groups: 0, networks: 0 },
    },
    create: [],
    deleteGroupIds: [],
    keep: [],
    insertNetworks: [],
    deleteNetworkIds: [],
    updateNetworks: [],
  };
  const { diff } = changes;
  const storedByName = new Map(stored.map((g) => [g.name, g]));
  const plannedNames = new Set(planned.map((g) => g.mailbox));
  // Old groups whose mailbox is gone, by handle: candidates for a changed mailbox.
  const orphans = new Map<string, StoredRipeGroup[]>();
  for (const group of [...stored].sort(byText((g) => g.name)))
    if (!plannedNames.has(group.name))
      for (const handle of group.handles) orphans.get(handle)?.push(group) ?? orphans.set(handle, [group]);
  const claimed = new Set<number>();

  for (const group of planned) {
    if (handMade.has(group.mailbox)) {
      diff.conflicts.push({ name: group.mailbox, networks: group.networks.length });
      continue;
    }
    let previous = storedByName.get(group.mailbox);
    if (!previous)
      for (const handle of group.handles) {
        previous = orphans.get(handle)?.find((g) => !claimed.has(g.id));
        if (previous) break;
      }
    if (!previous) {
      changes.create.push(group);
      diff.groupsAdded.push({ name: group.mailbox, networks: group.networks.length });
      for (const n of group.networks)
        diff.networksAdded.push({ group: group.mailbox, network: n.network, name: n.name });
      continue;
    }
    claimed.add(previous.id);
    changes.keep.push({ id: previous.id, from: previous.name, to: group.mailbox, handles: group.handles });
    if (previous.name !== group.mailbox) diff.mailboxChanged.push({ from: previous.name, to: group.mailbox });
    else diff.unchanged.groups++;
    diffNetworks(changes, previous, group);
  }

  for (const group of stored) {
    if (claimed.has(group.id)) continue;
    changes.deleteGroupIds.push(group.id);
    diff.groupsRemoved.push({ name: group.name, networks: group.networks.length });
    for (const n of group.networks)
      diff.networksRemoved.push({ group: group.name, network: normal(n.network), name: n.name });
  }
  const byGroupNetwork = byText<NetworkChange>((c) => `${c.group}\u0000${c.network}`);
  diff.groupsAdded.sort(byText((g) => g.name));
  diff.groupsRemoved.sort(byText((g) => g.name));
  diff.mailboxChanged.sort(byText((g) => g.to));
  diff.networksAdded.sort(byGroupNetwork);
  diff.networksRemoved.sort(byGroupNetwork);
  diff.networksChanged.sort(byGroupNetwork);
  return changes;
}

function diffNetworks(changes: RipeChanges, previous: StoredRipeGroup, group: RipeGroup): void {
  const { diff } = changes;
  const old = new Map(previous.networks.map((n) => [normal(n.network), n]));
  for (const network of group.networks) {
    const was = old.get(network.network);
    old.delete(network.network);
    if (!was) {
      changes.insertNetworks.push({ groupId: previous.id, network });
      diff.networksAdded.push({ group: group.mailbox, network: network.network, name: network.name });
    } else if (
      was.name !== network.name ||
      was.description !== network.description ||
      was.rank !== network.rank
    ) {
      changes.updateNetworks.push({ id: was.id, network });
      diff.networksChanged.push({
        group: group.mailbox,
        network: network.network,
        name: network.name,
        was: was.name,
      });
    } else diff.unchanged.networks++;
  }
  for (const [network, was] of old) {
    changes.deleteNetworkIds.push(was.id);
    diff.networksRemoved.push({ group: group.mailbox, network, name: was.name });
  }
}
