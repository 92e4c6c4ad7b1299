/**
 * A coverage-guided fuzzer on V8's own block coverage (node:inspector,
 * Profiler.takePreciseCoverage) — no native code.
 *
 * Why not @jazzer.js/core: its native part (@jazzer.js/fuzzer 4.0.0, the only
 * version whose binary ships inside the npm package) is built against glibc
 * 2.38 (__isoc23_strtol, __isoc23_strtoul) and GCC 13's libstdc++
 * (GLIBCXX_3.4.32, std::ios_base_library_init); Debian 12 has glibc 2.36 and
 * GLIBCXX_3.4.30, so loading it fails with ERR_DLOPEN_FAILED. Older versions
 * download their binary from GitHub at install time, and a source build needs
 * the C++ sources and the patched compiler-rt tarball from GitHub — neither is
 * reachable from the registries this project installs from (npm, Debian).
 *
 * The loop is libFuzzer's in miniature: keep a corpus; pick an entry, mutate it
 * (bit flips, interesting bytes, insert / delete / duplicate, splice with
 * another entry, dictionary tokens); run the target; keep the input if it ran a
 * block of the covered sources that no earlier input ran. Coverage is taken per
 * batch (taking it costs ~15 ms, running an input far less); a batch that found
 * new blocks is replayed input by input to find which ones did.
 *
 * A finding is an input whose run throws something the target does not expect
 * (anything other than the project's coded errors for bad input), or takes
 * longer than `slowMs`.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

export interface FuzzTarget {
  name: string;
  description: string;
  /** Runs one input. Throwing an error that `expected` accepts is a normal end. */
  run(data: Buffer): void | Promise<void>;
  /** The project's coded errors for bad input: anything else is a finding. */
  expected(e: unknown): boolean;
  /** Source paths (substrings of script URLs) whose block coverage guides the search. */
  cover: readonly string[];
  /** Tokens the mutator splices in (keys, keywords, attribute types). */
  dictionary?: readonly string[];
  /** Longest input worth trying. */
  maxLen: number;
}

export interface Finding {
  kind: 'unexpected-error' | 'slow';
  /** One line: the error's name, code and message (or the time taken). */
  summary: string;
  stack?: string;
  input: Buffer;
}

export interface FuzzOptions {
  /** Wall-clock budget of the mutation phase. */
  seconds: number;
  /** Stop after this many executions of mutated inputs (whichever comes first). */
  maxRuns?: number;
  /** Seed of the mutation PRNG (runs are reproducible given the same corpus). */
  seed?: number;
  /** Folder of the corpus: read at the start; new inputs are written here when `writeCorpus`. */
  corpusDir: string;
  writeCorpus: boolean;
  /** Folder for findings' inputs (written when set). */
  findingsDir?: string;
  /** An input that takes longer than this is a finding. */
  slowMs?: number;
  batch?: number;
  /** Stop once this many findings are in (default: run the whole budget). */
  stopAfterFindings?: number;
  log?: (line: string) => void;
}

export interface FuzzReport {
  target: string;
  seed: number;
  corpusStart: number;
  corpusEnd: number;
  newInputs: number;
  executions: number;
  seconds: number;
  /** Blocks of the covered sources run by at least one input. */
  blocks: number;
  findings: Finding[];
}

// ─── PRNG and mutations ───────────────────────────────────────────────────

/** xorshift32: small, seedable, good enough to pick mutations. */
export function prng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

const INTERESTING = [0x00, 0x01, 0x02, 0x10, 0x12, 0x14, 0x20, 0x7f, 0x80, 0xfe, 0xff];

export function mutate(input: Buffer, corpus: readonly Buffer[], dictionary: readonly string[], maxLen: number, rand: () => number): Buffer {
  const int = (n: number) => Math.floor(rand() * n);
  let data = Buffer.from(input);
  const rounds = 1 + int(4);
  for (let r = 0; r < rounds; r++) {
    const op = int(10);
    const at = data.length === 0 ? 0 : int(data.length);
    switch (op) {
      case 0: // flip a bit
        if (data.length > 0) data[at] = data[at]! ^ (1 << int(8));
        break;
      case 1: // an interesting byte
        if (data.length > 0) data[at] = INTERESTING[int(INTERESTING.length)]!;
        break;
      case 2: // a random byte
        if (data.length > 0) data[at] = int(256);
        break;
      case 3: {
        // delete a run
        const len = 1 + int(Math.min(16, Math.max(1, data.length - at)));
        data = Buffer.concat([data.subarray(0, at), data.subarray(at + len)]);
        break;
      }
      case 4: {
        // insert random bytes
        const bytes = Buffer.alloc(1 + int(8));
        for (let i = 0; i < bytes.length; i++) bytes[i] = int(256);
        data = Buffer.concat([data.subarray(0, at), bytes, data.subarray(at)]);
        break;
      }
      case 5: {
        // duplicate a run
        const len = 1 + int(Math.min(32, Math.max(1, data.length - at)));
        const chunk = data.subarray(at, at + len);
        const to = int(data.length + 1);
        data = Buffer.concat([data.subarray(0, to), chunk, data.subarray(to)]);
        break;
      }
      case 6:
      case 7: {
        // a dictionary token, inserted or written over
        if (dictionary.length === 0) break;
        const token = Buffer.from(dictionary[int(dictionary.length)]!);
        data = rand() < 0.5 ? Buffer.concat([data.subarray(0, at), token, data.subarray(at)]) : Buffer.concat([data.subarray(0, at), token, data.subarray(at + token.length)]);
        break;
      }
      case 8: {
        // splice with another corpus entry
        const other = corpus[int(corpus.length)];
        if (!other || other.length === 0) break;
        const from = int(other.length);
        data = Buffer.concat([data.subarray(0, at), other.subarray(from, from + 1 + int(other.length - from))]);
        break;
      }
      case 9: {
        // a 16-bit big-endian length-like value (RADIUS Length, attribute lengths)
        if (data.length >= 2) data.writeUInt16BE([0, 1, 19, 20, 21, 255, 256, 4095, 4096, 4097, 0xffff][int(11)]!, Math.min(at, data.length - 2));
        break;
      }
    }
  }
  return data.length > maxLen ? data.subarray(0, maxLen) : data;
}

// ─── coverage ─────────────────────────────────────────────────────────────

interface ScriptCoverage {
  url: string;
  functions: Array<{ ranges: Range[] }>;
}

type Range = { startOffset: number; endOffset: number; count: number };

/**
 * V8 reports a block only where its count differs from the enclosing range's
 * (so an executed block with its parent's count is not listed, and the
 * blocks inside an unexecuted block are not either). A block ran when the
 * innermost range reported around it has a count above 0. The blocks of each
 * function are learnt from every report (a block shows up with count 0 the
 * first time it is skipped).
 */
class Coverage {
  readonly #session = new Session();
  readonly #cover: readonly string[];
  /** function key → its known block ranges "start:end". */
  readonly #blocks = new Map<string, Set<string>>();

  constructor(cover: readonly string[]) {
    this.#cover = cover;
  }

  async start(): Promise<void> {
    this.#session.connect();
    await this.#session.post('Profiler.enable');
    await this.#session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  }

  /** Blocks of the covered sources run since the last call (taking coverage resets the counters). */
  async take(): Promise<Set<string>> {
    const { result } = (await this.#session.post('Profiler.takePreciseCoverage')) as { result: ScriptCoverage[] };
    const ran = new Set<string>();
    for (const script of result) {
      if (!this.#cover.some((c) => script.url.includes(c))) continue;
      for (const fn of script.functions) {
        const whole = fn.ranges[0];
        if (!whole) continue;
        const key = `${script.url}:${whole.startOffset}:${whole.endOffset}`;
        const known = this.#blocks.get(key) ?? new Set<string>();
        this.#blocks.set(key, known);
        for (const r of fn.ranges.slice(1)) known.add(`${r.startOffset}:${r.endOffset}`);
        if (whole.count === 0) continue;
        ran.add(key);
        for (const block of known) {
          const [start, end] = block.split(':').map(Number) as [number, number];
          if (innermostCount(fn.ranges, start, end) > 0) ran.add(`${key}/${block}`);
        }
      }
    }
    return ran;
  }

  async stop(): Promise<void> {
    await this.#session.post('Profiler.stopPreciseCoverage');
    this.#session.disconnect();
  }
}

function innermostCount(ranges: readonly Range[], start: number, end: number): number {
  let best: Range | undefined;
  for (const r of ranges) {
    if (r.startOffset <= start && r.endOffset >= end && (!best || r.endOffset - r.startOffset <= best.endOffset - best.startOffset)) best = r;
  }
  return best?.count ?? 0;
}

// ─── the loop ─────────────────────────────────────────────────────────────

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

export function readCorpus(dir: string): Buffer[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => !n.startsWith('.') && n !== 'README.md');
  } catch {
    return [];
  }
  return names.sort().map((n) => readFileSync(join(dir, n)));
}

function describeError(e: unknown): { summary: string; stack?: string } {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { summary: `${e.name}${typeof code === 'string' ? ` ${code}` : ''}: ${e.message.split('\n')[0]}`, ...(e.stack ? { stack: e.stack } : {}) };
  }
  return { summary: `non-Error thrown: ${String(e)}` };
}

export async function fuzz(target: FuzzTarget, o: FuzzOptions): Promise<FuzzReport> {
  const seed = o.seed ?? (Date.now() & 0x7fffffff);
  const rand = prng(seed);
  const log = o.log ?? (() => {});
  // A hang detector, not a benchmark: the machine may be shared (a 2.7 s parse of a 2.6 KB config was load, 76 ms alone).
  const slowMs = o.slowMs ?? 10_000;
  const batchSize = o.batch ?? 32;
  const findings: Finding[] = [];
  const seenFindings = new Set<string>();
  const known = new Set<string>();
  const coverage = new Coverage(target.cover);
  const corpus: Buffer[] = [];
  const corpusHashes = new Set<string>();
  let executions = 0;
  let newInputs = 0;
  let corpusStart = 0;

  const exec = async (input: Buffer): Promise<void> => {
    executions++;
    const started = performance.now();
    try {
      await target.run(input);
    } catch (e) {
      if (!target.expected(e)) {
        const d = describeError(e);
        record({ kind: 'unexpected-error', ...d, input });
      }
    }
    const ms = performance.now() - started;
    if (ms > slowMs) record({ kind: 'slow', summary: `took ${Math.round(ms)} ms (limit ${slowMs} ms)`, input });
  };
  const record = (f: Finding): void => {
    // One finding per distinct summary (with numbers masked), so a bug is reported once, not per input.
    const key = `${f.kind}:${f.summary.replace(/\d+/g, 'N')}`;
    if (seenFindings.has(key)) return;
    seenFindings.add(key);
    findings.push(f);
    log(`[${target.name}] FINDING ${f.kind}: ${f.summary} (input ${f.input.length} bytes, sha1 ${sha1(f.input)})`);
    if (o.findingsDir) {
      mkdirSync(o.findingsDir, { recursive: true });
      writeFileSync(join(o.findingsDir, `${f.kind}-${sha1(f.input)}`), f.input);
    }
  };
  const addToCorpus = (input: Buffer, persist: boolean): void => {
    const h = sha1(input);
    if (corpusHashes.has(h)) return;
    corpusHashes.add(h);
    corpus.push(input);
    if (persist && o.writeCorpus) {
      mkdirSync(o.corpusDir, { recursive: true });
      writeFileSync(join(o.corpusDir, h.slice(0, 16)), input);
      newInputs++;
    }
  };
  const novel = (blocks: Set<string>): boolean => {
    let any = false;
    for (const b of blocks) {
      if (!known.has(b)) {
        known.add(b);
        any = true;
      }
    }
    return any;
  };

  await coverage.start();
  const started = Date.now();
  try {
    // Replay the corpus one input at a time: it seeds the known blocks (and must hold no finding).
    const initial = readCorpus(o.corpusDir);
    await coverage.take();
    for (const input of initial) {
      await exec(input);
      novel(await coverage.take());
      addToCorpus(input, false);
    }
    corpusStart = initial.length;
    if (corpus.length === 0) addToCorpus(Buffer.alloc(0), false);
    log(`[${target.name}] corpus ${initial.length} inputs, ${known.size} blocks; fuzzing for ${o.seconds} s (seed ${seed})`);

    // The budget is for mutation: replaying a large corpus on a busy machine must not use it all up.
    const deadline = Date.now() + o.seconds * 1000;
    const maxRuns = o.maxRuns ?? Number.POSITIVE_INFINITY;
    let mutated = 0;
    let lastLog = Date.now();
    const enough = o.stopAfterFindings ?? Number.POSITIVE_INFINITY;
    while (Date.now() < deadline && mutated < maxRuns && findings.length < enough) {
      const batch: Buffer[] = [];
      for (let i = 0; i < batchSize && mutated < maxRuns; i++, mutated++) {
        // Half the time one of the newest entries: what just reached new code is the likeliest step to more.
        const pick = rand() < 0.5 ? corpus.length - 1 - Math.floor(rand() * Math.min(4, corpus.length)) : Math.floor(rand() * corpus.length);
        const input = mutate(corpus[pick]!, corpus, target.dictionary ?? [], target.maxLen, rand);
        batch.push(input);
        await exec(input);
      }
      const blocks = await coverage.take();
      if ([...blocks].some((b) => !known.has(b))) {
        // Which inputs of the batch ran something new? Replay them one by one.
        for (const input of batch) {
          await exec(input);
          if (novel(await coverage.take())) addToCorpus(input, true);
        }
      }
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        log(`[${target.name}] ${executions} runs, corpus ${corpus.length}, ${known.size} blocks, ${findings.length} findings`);
      }
    }
  } finally {
    await coverage.stop();
  }
  return {
    target: target.name,
    seed,
    corpusStart,
    corpusEnd: corpus.length,
    newInputs,
    executions,
    seconds: (Date.now() - started) / 1000,
    blocks: known.size,
    findings,
  };
}
