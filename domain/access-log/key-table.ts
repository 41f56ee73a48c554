// Dense ids for the distinct keys (clients, sections) of one batch, found by their bytes: the
// tailer's byte parser hands over a span of the read buffer and its hash, and only a key seen for
// the first time in the batch becomes a string. Open addressing over an Int32Array; the keys'
// bytes are kept in one growing arena for the comparisons.

/** FNV-1a, 32 bits: the hash the byte parser computes while it validates a key's characters. */
export const FNV_OFFSET = 0x811c9dc5;
export const fnvStep = (hash: number, byte: number): number => Math.imul(hash ^ byte, 0x01000193);

export function fnvHash(bytes: Uint8Array, from: number, to: number): number {
  let hash = FNV_OFFSET;
  for (let i = from; i < to; i++) hash = fnvStep(hash, bytes[i]!);
  return hash;
}

const utf8 = new TextEncoder();

export class KeyTable {
  /** id + 1 per slot, 0 for an empty slot. */
  private slots = new Int32Array(1024);
  private mask = 1023;
  private hashes: number[] = [];
  private starts: number[] = [];
  private ends: number[] = [];
  private arena = new Uint8Array(16 * 1024);
  private arenaUsed = 0;
  private scratch = new Uint8Array(1024);
  /** The key of each id. */
  readonly keys: string[] = [];

  get size(): number {
    return this.keys.length;
  }

  /**
   * The id of the key `bytes[from, to)`, whose fnvHash is `hash`; a new id if unseen, whose key is
   * `text` or else the bytes read as Latin-1 (the byte parser passes ASCII only).
   */
  idOfBytes(bytes: Uint8Array, from: number, to: number, hash: number, text?: string): number {
    const length = to - from;
    let slot = (hash ^ (hash >>> 16)) & this.mask;
    for (;;) {
      const entry = this.slots[slot]!;
      if (entry === 0) break;
      const id = entry - 1;
      if (this.hashes[id] === hash && this.ends[id]! - this.starts[id]! === length) {
        const arena = this.arena;
        let at = this.starts[id]!;
        let i = from;
        while (i < to && arena[at] === bytes[i]) {
          at++;
          i++;
        }
        if (i === to) return id;
      }
      slot = (slot + 1) & this.mask;
    }
    const key = text ?? String.fromCharCode.apply(null, bytes.subarray(from, to) as unknown as number[]);
    return this.insert(slot, bytes, from, to, hash, key);
  }

  /** The id of a key the string parser produced (any text: compared by its UTF-8 bytes). */
  idOfString(key: string): number {
    let bytes = this.scratch;
    let length = 0;
    for (; length < key.length; length++) {
      const c = key.charCodeAt(length);
      if (c >= 128 || length >= bytes.length) break;
      bytes[length] = c;
    }
    if (length < key.length) {
      bytes = utf8.encode(key);
      length = bytes.length;
    }
    return this.idOfBytes(bytes, 0, length, fnvHash(bytes, 0, length), key);
  }

  clear(): void {
    if (this.keys.length > 0) this.slots.fill(0);
    this.hashes = [];
    this.starts = [];
    this.ends = [];
    this.keys.length = 0;
    this.arenaUsed = 0;
  }

  private insert(slot: number, bytes: Uint8Array, from: number, to: number, hash: number, key: string) {
    const id = this.keys.length;
    if (this.arenaUsed + (to - from) > this.arena.length) {
      const grown = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + (to - from)));
      grown.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = grown;
    }
    this.arena.set(bytes.subarray(from, to), this.arenaUsed);
    this.starts.push(this.arenaUsed);
    this.arenaUsed += to - from;
    this.ends.push(this.arenaUsed);
    this.hashes.push(hash);
    this.keys.push(key);
    this.slots[slot] = id + 1;
    if (this.keys.length * 2 > this.slots.length) this.grow();
    return id;
  }

  private grow(): void {
    const size = this.slots.length * 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let id = 0; id < this.keys.length; id++) {
      const hash = this.hashes[id]!;
      let slot = (hash ^ (hash >>> 16)) & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = id + 1;
    }
  }
}
