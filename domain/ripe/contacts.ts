// Abuse contacts of RIPE address ranges (docs/ripe-import.md): a range's own `abuse-c` → the role
// with that `nic-hdl` → its `abuse-mailbox`; else its `org`'s `abuse-c` the same way; else it has
// none of its own and the nearest enclosing range with a contact covers it (herald's chains come
// from the networks' nesting). One group per mailbox; its networks are the ranges as CIDRs.
//
// Memory: the role and organisation maps (one short entry per object with a handle) and one
// record per range kept (after --country), whatever order the files come in; everything else is
// counted and dropped as it is read.
import { emailAddress } from '../catalog/schema';
import type { Family } from '../idea/network';
import { type AddressRange, parseInet6num, parseInetnum, rangeCidrs } from './ranges';
import { attribute, type RpslObject, type RpslProblem } from './rpsl';

export interface RipeNetwork {
  network: string;
  /** The range's netname. */
  name: string;
  /** `inetnum: …` / `inet6num: …` as written. */
  description: string;
  /** Set only where several ranges give the same CIDR: the smaller range first (rank 0). */
  rank: number | null;
}

export interface RipeGroup {
  mailbox: string;
  /** abuse-c handles that resolved to this mailbox, sorted. */
  handles: string[];
  networks: RipeNetwork[];
}

export interface RipeProblem extends RpslProblem {
  file: string;
}

export interface UnresolvedRange {
  file: string;
  line: number;
  range: string;
  netname: string;
  reason: string;
}

export interface RipeCounts {
  objects: number;
  byClass: Record<string, number>;
  malformed: number;
  ranges: number;
  outsideCountries: number;
  withContact: number;
  /** No contact of their own, covered by an enclosing range that has one. */
  inherited: number;
  unresolved: number;
  groups: number;
  networks: number;
}

export interface RipePlan {
  groups: RipeGroup[];
  counts: RipeCounts;
  /** The first LISTED_PROBLEMS malformed objects (all are counted). */
  problems: RipeProblem[];
  /** The first LISTED_UNRESOLVED ranges without a contact (all are counted). */
  unresolved: UnresolvedRange[];
}

export const LISTED_PROBLEMS = 1_000;
export const LISTED_UNRESOLVED = 10_000;

/** A range whose contact is not known yet (its role or organisation may come later). */
interface PendingRange extends AddressRange {
  text: string;
  netname: string;
  abuseC: string | undefined;
  org: string | undefined;
  file: number;
  line: number;
}

interface Contact {
  mailbox: string;
  handle: string;
}

/** A planned network with the size of the range it came from (shared by the range's CIDRs). */
interface PlannedNetwork extends RipeNetwork {
  size: bigint;
}

interface GroupBuild {
  handles: Set<string>;
  networks: Map<string, PlannedNetwork>;
}

const handleKey = (value: string) => value.toUpperCase();

export class RipeContactCollector {
  private readonly roles = new Map<string, string | null>();
  private readonly orgAbuseC = new Map<string, string | null>();
  private readonly groups = new Map<string, GroupBuild>();
  /** Ranges with a contact, for the coverage of contactless ones: only their bounds. */
  private readonly covering: AddressRange[] = [];
  private readonly deferred: PendingRange[] = [];
  /** Ranges without a contact: whether an enclosing one covers them is known only at the end. */
  private readonly contactless: PendingRange[] = [];
  private readonly files: string[] = [];
  private readonly fileIndex = new Map<string, number>();
  private readonly countries: Set<string> | null;
  private readonly problems: RipeProblem[] = [];
  private readonly counts: RipeCounts = {
    objects: 0,
    byClass: {},
    malformed: 0,
    ranges: 0,
    outsideCountries: 0,
    withContact: 0,
    inherited: 0,
    unresolved: 0,
    groups: 0,
    networks: 0,
  };

  constructor(options: { countries?: readonly string[] } = {}) {
    this.countries = options.countries?.length
      ? new Set(options.countries.map((c) => c.toUpperCase()))
      : null;
  }

  /** An object the reader could not make out (counted as an object, and as malformed). */
  problem(file: string, problem: RpslProblem): void {
    this.counts.objects++;
    this.listProblem(file, problem);
  }

  private listProblem(file: string, problem: RpslProblem): void {
    this.counts.malformed++;
    if (this.problems.length < LISTED_PROBLEMS) this.problems.push({ file, ...problem });
  }

  add(file: string, object: RpslObject): void {
    this.counts.objects++;
    this.counts.byClass[object.cls] = (this.counts.byClass[object.cls] ?? 0) + 1;
    if (object.cls === 'role') this.addRole(file, object);
    else if (object.cls === 'organisation') this.addOrganisation(object);
    else if (object.cls === 'inetnum' || object.cls === 'inet6num') this.addRange(file, object);
  }

  private malformed(file: string, object: RpslObject, name: string, message: string): void {
    const at = attribute(object, name);
    this.listProblem(file, { line: at?.line ?? object.line, attribute: name, message });
  }

  private addRole(file: string, object: RpslObject): void {
    const handle = attribute(object, 'nic-hdl')?.value;
    if (!handle) {
      this.malformed(file, object, 'nic-hdl', 'a role without a nic-hdl');
      return;
    }
    const mailbox = attribute(object, 'abuse-mailbox')?.value;
    if (mailbox !== undefined && !emailAddress.safeParse(mailbox).success) {
      this.malformed(file, object, 'abuse-mailbox', `${JSON.stringify(mailbox)} is not an e-mail address`);
      return;
    }
    // Domains are case-insensitive and abuse mailboxes are in practice: one group per address.
    this.roles.set(handleKey(handle), mailbox ? mailbox.toLowerCase() : null);
  }

  private addOrganisation(object: RpslObject): void {
    const id = object.attributes[0]!.value;
    if (id) this.orgAbuseC.set(handleKey(id), attribute(object, 'abuse-c')?.value ?? null);
  }

  private addRange(file: string, object: RpslObject): void {
    const head = object.attributes[0]!;
    const parsed = object.cls === 'inetnum' ? parseInetnum(head.value) : parseInet6num(head.value);
    if (!parsed.ok) {
      this.malformed(file, object, object.cls, parsed.message);
      return;
    }
    this.counts.ranges++;
    let netname: string | undefined;
    let abuseC: string | undefined;
    let org: string | undefined;
    let inCountry = this.countries === null;
    for (const a of object.attributes) {
      if (a.name === 'netname') netname ??= a.value;
      else if (a.name === 'abuse-c') abuseC ??= a.value;
      else if (a.name === 'org') org ??= a.value;
      else if (a.name === 'country' && !inCountry) inCountry = this.countries!.has(a.value.toUpperCase());
    }
    if (!inCountry) {
      this.counts.outsideCountries++;
      return;
    }
    let index = this.fileIndex.get(file);
    if (index === undefined) {
      index = this.files.push(file) - 1;
      this.fileIndex.set(file, index);
    }
    // A literal, not a spread of parsed.range: V8 gave every spread copy a hidden class of its own.
    const range: PendingRange = {
      family: parsed.range.family,
      first: parsed.range.first,
      last: parsed.range.last,
      text: head.value,
      netname: netname || head.value,
      abuseC,
      org,
      file: index,
      line: object.line,
    };
    if (this.decidable(range)) this.place(range);
    else this.deferred.push(range);
  }

  /** Whether every object the range's contact depends on has been read (else it waits). */
  private decidable(range: PendingRange): boolean {
    if (range.abuseC) {
      const mailbox = this.roles.get(handleKey(range.abuseC));
      if (mailbox) return true;
      if (mailbox === undefined) return false;
    }
    if (!range.org) return true;
    const abuseC = this.orgAbuseC.get(handleKey(range.org));
    if (abuseC === undefined) return false;
    return abuseC === null || this.roles.has(handleKey(abuseC));
  }

  private contactOf(handle: string | null | undefined): Contact | null {
    if (!handle) return null;
    const mailbox = this.roles.get(handleKey(handle));
    return mailbox ? { mailbox, handle: handleKey(handle) } : null;
  }

  private resolve(range: PendingRange): Contact | null {
    return (
      this.contactOf(range.abuseC) ??
      (range.org ? this.contactOf(this.orgAbuseC.get(handleKey(range.org))) : null)
    );
  }

  /** Why a range has no contact (worked out only for the few listed as unresolved). */
  private reason(range: PendingRange): string {
    if (range.abuseC) return `abuse-c ${range.abuseC} is not a role with an abuse-mailbox`;
    if (range.org && !this.orgAbuseC.has(handleKey(range.org)))
      return `no abuse-c, and org ${range.org} is not in the dumps`;
    if (range.org) return `no abuse-c, and org ${range.org} has no abuse-c with an abuse-mailbox`;
    return 'no abuse-c and no org';
  }

  /** Resolves the range and keeps what it contributes: its networks, or it as contactless. */
  private place(range: PendingRange): void {
    const contact = this.resolve(range);
    if (!contact) {
      this.contactless.push(range);
      return;
    }
    this.counts.withContact++;
    this.covering.push({ family: range.family, first: range.first, last: range.last });
    let group = this.groups.get(contact.mailbox);
    if (!group) {
      group = { handles: new Set(), networks: new Map() };
      this.groups.set(contact.mailbox, group);
    }
    group.handles.add(contact.handle);
    const size = range.last - range.first + 1n;
    const description = `${range.family === 4 ? 'inetnum' : 'inet6num'}: ${range.text}`;
    for (const network of rangeCidrs(range)) {
      const known = group.networks.get(network);
      // The same CIDR from two ranges of one contact: the smaller range names it.
      if (known && known.size <= size) continue;
      group.networks.set(network, { network, name: range.netname, description, rank: null, size });
    }
  }

  /** Resolves what waited and builds the groups; call once, after the last object. */
  finish(): RipePlan {
    for (const range of this.deferred) this.place(range);
    this.deferred.length = 0;
    this.rankSharedNetworks();
    const plan: RipePlan = {
      groups: [...this.groups]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([mailbox, group]) => ({
          mailbox,
          handles: [...group.handles].sort(),
          // In text order: the same whatever order the dumps came in.
          networks: [...group.networks.values()].sort((a, b) =>
            a.network < b.network ? -1 : a.network > b.network ? 1 : 0,
          ),
        })),
      counts: this.counts,
      problems: this.problems,
      unresolved: [],
    };
    plan.counts.groups = plan.groups.length;
    plan.counts.networks = plan.groups.reduce((sum, g) => sum + g.networks.length, 0);
    for (const range of this.uncovered()) {
      this.counts.unresolved++;
      if (plan.unresolved.length < LISTED_UNRESOLVED)
        plan.unresolved.push({
          file: this.files[range.file]!,
          line: range.line,
          range: range.text,
          netname: range.netname,
          reason: this.reason(range),
        });
    }
    return plan;
  }

  /**
   * Where ranges of different contacts give the same CIDR (a range cut into pieces around a
   * nested one), the smaller range's network comes first in the chain: rank 0, 1, … by size.
   */
  private rankSharedNetworks(): void {
    const all: PlannedNetwork[] = [];
    for (const group of this.groups.values())
      for (const network of group.networks.values()) all.push(network);
    all.sort((a, b) =>
      a.network < b.network ? -1 : a.network > b.network ? 1 : a.size < b.size ? -1 : a.size > b.size ? 1 : 0,
    );
    for (let i = 0; i < all.length; ) {
      let j = i + 1;
      while (j < all.length && all[j]!.network === all[i]!.network) j++;
      if (j - i > 1) for (let k = i; k < j; k++) all[k]!.rank = k - i;
      i = j;
    }
  }

  /** The contactless ranges no range with a contact encloses, in address order. */
  private uncovered(): PendingRange[] {
    const byStart = (a: AddressRange, b: AddressRange) =>
      a.family - b.family || (a.first < b.first ? -1 : a.first > b.first ? 1 : 0);
    const covering = this.covering.sort(byStart);
    const out: PendingRange[] = [];
    let next = 0;
    let family: Family | 0 = 0;
    let reach = -1n;
    for (const range of this.contactless.sort(byStart)) {
      if (range.family !== family) {
        family = range.family;
        reach = -1n;
        next = covering.findIndex((c) => c.family === family);
        if (next < 0) next = covering.length;
      }
      // The furthest end of any contact range that starts at or before this one.
      for (; next < covering.length; next++) {
        const candidate = covering[next]!;
        if (candidate.family !== family || candidate.first > range.first) break;
        if (candidate.last > reach) reach = candidate.last;
      }
      if (reach >= range.last) this.counts.inherited++;
      else out.push(range);
    }
    return out;
  }
}
