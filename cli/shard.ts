/**
 * `run --shard i/n`: which scenarios shard i of n runs. Pure: the CI system
 * starts n jobs (its own parallelism, no scheduler of ours), each runs one
 * shard, and `radius-mfa-harness merge` joins their output (reports/merge.ts).
 *
 * The split is deterministic (same scenarios and durations → same shards on
 * every machine) and even by recorded duration: scenarios are taken longest
 * first and each goes to the shard with the least total so far (LPT; ties go
 * to the lower shard, equal durations are ordered by id). Durations come from
 * a previous run (`merge` writes durations.json; commit it to keep shards
 * even); a scenario without a record counts as the median of those with one,
 * or 1 s when none has. Scenarios are keyed by their line-independent id, so
 * editing a feature file does not reshuffle the others.
 */
import { existsSync, readFileSync } from 'node:fs';
import { CodedError } from '../agent/src/errors.ts';

export interface ShardSpec {
  /** 1-based. */
  index: number;
  total: number;
}

/** Durations by scenario id, in ms. */
export type Durations = ReadonlyMap<string, number>;

export const DEFAULT_DURATION_MS = 1000;

export function parseShard(text: string): ShardSpec {
  const m = /^\s*(\d{1,4})\s*\/\s*(\d{1,4})\s*$/.exec(text);
  const index = m ? Number(m[1]) : Number.NaN;
  const total = m ? Number(m[2]) : Number.NaN;
  if (!m || total < 1 || index < 1 || index > total) {
    throw new CodedError('SHARD_BAD', `--shard "${text}": write i/n with 1 ≤ i ≤ n, e.g. --shard 2/4 for the second of four CI jobs.`);
  }
  return { index, total };
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Every scenario id → its shard (1-based), for n shards. */
export function assignShards(ids: readonly string[], durations: Durations, total: number): Map<string, number> {
  const unique = [...new Set(ids)];
  const known = unique.flatMap((id) => {
    const d = durations.get(id);
    return d !== undefined && Number.isFinite(d) && d >= 0 ? [d] : [];
  });
  const fallback = median(known) ?? DEFAULT_DURATION_MS;
  const weight = (id: string): number => {
    const d = durations.get(id);
    return d !== undefined && Number.isFinite(d) && d >= 0 ? d : fallback;
  };
  const order = unique.map((id) => ({ id, w: weight(id) })).sort((a, b) => b.w - a.w || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const load = Array.from({ length: total }, () => 0);
  const count = Array.from({ length: total }, () => 0);
  const out = new Map<string, number>();
  for (const { id, w } of order) {
    let best = 0;
    // Least load; on a tie the fewer scenarios, then the lower shard (all-unknown durations split by count).
    for (let s = 1; s < total; s++) if (load[s]! < load[best]! || (load[s] === load[best] && count[s]! < count[best]!)) best = s;
    load[best]! += w;
    count[best]!++;
    out.set(id, best + 1);
  }
  return out;
}

/** The ids of shard `spec.index`, in the order given. */
export function shardSelection<T extends { id: string }>(scenarios: readonly T[], durations: Durations, spec: ShardSpec): T[] {
  const shards = assignShards(
    scenarios.map((s) => s.id),
    durations,
    spec.total,
  );
  return scenarios.filter((s) => shards.get(s.id) === spec.index);
}

/** Reads a durations file ({ "<scenario id>": ms }); absent → empty (even split by count). */
export function readDurations(file: string): Map<string, number> {
  if (!existsSync(file)) return new Map();
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CodedError('SHARD_DURATIONS_INVALID', `${file} is not JSON (${(e as Error).message}): write it again with radius-mfa-harness merge, or delete it.`);
  }
  const durations = typeof data === 'object' && data !== null ? (data as { durations?: unknown }).durations : undefined;
  if (typeof durations !== 'object' || durations === null) {
    throw new CodedError('SHARD_DURATIONS_INVALID', `${file} has no "durations" object ({ "durations": { "<scenario id>": ms } }): write it again with radius-mfa-harness merge.`);
  }
  const out = new Map<string, number>();
  for (const [id, ms] of Object.entries(durations)) if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) out.set(id, ms);
  return out;
}

/** Durations of a run's verdicts: per scenario id, summed over targets (a shard runs its scenarios on every target). */
export function durationsOf(verdicts: readonly { id: string; durationMs?: number; verdict: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of verdicts) {
    if (v.durationMs === undefined || v.verdict === 'not-applicable') continue;
    out[v.id] = (out[v.id] ?? 0) + Math.round(v.durationMs);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
