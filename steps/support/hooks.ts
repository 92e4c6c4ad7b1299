/**
 * Hooks: the capability check (scenarios a target can't run are reported not
 * applicable, with the reason, never silently skipped or passed; those that
 * can run get their lab, built from the scenario seed), the target's ledger
 * (a step failing exactly as the ledger expects is an expected deviation; a
 * ledgered scenario that passes fails as an unexpected pass), the packet trace
 * attachment, the lab's teardown, and
 * the target's lifecycle (one per run per worker: forgotten in BeforeAll,
 * closed in AfterAll).
 *
 * Cucumber's own status of each scenario agrees with its verdict
 * (reports/verdicts.ts), so plain `npx cucumber-js` exits as the runner does:
 * an expected deviation's failing step is reported skipped (with a marker
 * saying so), an unexpected pass or a silent skip fails in the After hook, a
 * target that can't be used fails every scenario that needs it (unless
 * RMH_ALLOW_UNAVAILABLE=1, `--allow-unavailable`).
 */
import { After, AfterAll, AfterStep, Before, BeforeAll, BeforeStep, setDefaultTimeout, setDefinitionFunctionWrapper } from '@cucumber/cucumber';
import { entryKey, isExpectedFailure, type Ledger, type LedgerEntry, ledgerEntryFor, ledgerForTarget } from '../../reports/ledger.ts';
import { NO_AGENT_TAG } from '../../reports/tags.ts';
import { exampleOf, exampleRows, featurePath } from '../../reports/verdicts.ts';
import { currentTargetName } from '../targets/index.ts';
import { TargetUnavailable } from '../targets/target.ts';
import {
  EXPECTED_DEVIATION_MEDIA_TYPE,
  type ExpectedDeviationBody,
  NOT_APPLICABLE_MEDIA_TYPE,
  NOT_APPLICABLE_PREFIX,
  RADIUS_TRACE_MEDIA_TYPE,
  type RadiusTrace,
  TARGET_UNAVAILABLE_MEDIA_TYPE,
  UNEXPECTED_PASS_MEDIA_TYPE,
} from './verdict-markers.ts';
import { closeCurrentTarget, currentTarget, type LabWorld } from './world.ts';

// A step may drive several RADIUS timeouts; on real-time targets they take real time.
setDefaultTimeout(60_000);

/** The capabilities a scenario's tags ask for (`@needs:<capability>`). */
export function neededCapabilities(tags: readonly { name: string }[]): string[] {
  return tags.filter((t) => t.name.startsWith('@needs:')).map((t) => t.name.slice('@needs:'.length));
}

/** What the hooks know of the scenario a World runs. */
interface ScenarioState {
  /** The ledger entry naming this scenario on this target, if any. */
  entry?: LedgerEntry;
  /** The text of the step running now (undefined between steps, in hooks). */
  step?: string;
  /** Set once a step failed as the ledger expects (the scenario is then an expected deviation). */
  deviated: boolean;
  /** Set when the hook itself skipped the scenario with a stated reason (not applicable). */
  skippedWithReason: boolean;
}

const scenarios = new WeakMap<object, ScenarioState>();

let ledger: Ledger | undefined;
function targetLedger(): Ledger {
  // The plug-in read (and checked) the same file before the run; each worker reads it once.
  ledger ??= ledgerForTarget(currentTargetName(), process.env.RMH_PROFILE);
  return ledger;
}

export function allowUnavailable(env: NodeJS.ProcessEnv = process.env): boolean {
  return ['1', 'true', 'yes'].includes(env.RMH_ALLOW_UNAVAILABLE ?? '');
}

/** The first lines of an error message, without its stack (what a ledger's `failure` pattern is matched against). */
export function errorMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n').slice(0, 20).join('\n').trim();
}

/**
 * Wraps every step definition: a failure of the step the scenario's ledger
 * entry names, with a message its pattern finds, is turned into a skipped step
 * with an expected-deviation marker; any other failure passes through.
 */
export function ledgerAwareStep<F extends (this: unknown, ...args: unknown[]) => unknown>(fn: F): F {
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const state = typeof this === 'object' && this !== null ? scenarios.get(this) : undefined;
    if (!state?.entry || state.step === undefined) return fn.apply(this, args);
    const entry = state.entry;
    const step = state.step;
    const world = this as { attach(data: string, mediaType: string): void };
    const judge = (e: unknown): unknown => {
      const message = errorMessage(e);
      if (!isExpectedFailure(entry, step, message)) throw e;
      const body: ExpectedDeviationBody = { entry: entryKey(entry), step, message };
      world.attach(JSON.stringify(body), EXPECTED_DEVIATION_MEDIA_TYPE);
      state.deviated = true;
      return 'skipped';
    };
    try {
      const result = fn.apply(this, args);
      if (result && typeof (result as PromiseLike<unknown>).then === 'function') return Promise.resolve(result).then(undefined, judge);
      return result;
    } catch (e) {
      return judge(e);
    }
  };
  return wrapped as F;
}

setDefinitionFunctionWrapper(ledgerAwareStep);

// One target per run (per worker): a run in a process that already ran one starts from nothing,
// and whatever the target holds for the run (servers, containers) is released at its end.
BeforeAll({ name: "forget an earlier run's target", timeout: 120_000 }, async () => {
  ledger = undefined;
  await closeCurrentTarget();
});

AfterAll({ name: 'release the target', timeout: 120_000 }, async () => {
  await closeCurrentTarget();
});

Before({ name: 'capability check' }, async function (this: LabWorld, { pickle, gherkinDocument }) {
  const tags = pickle.tags.map((t) => t.name);
  // The World reads the scenario's tags (e.g. to refuse starting an agent in a @no-agent scenario).
  (this as { scenarioTags?: readonly string[] }).scenarioTags = tags;
  const state: ScenarioState = { deviated: false, skippedWithReason: false };
  scenarios.set(this, state);
  if (tags.includes(NO_AGENT_TAG)) {
    // Never touches the agent: the target is not even loaded (it may be a container or a remote agent).
    await this.buildLab();
    return undefined;
  }
  const example = exampleOf(pickle, exampleRows(gherkinDocument));
  const entry = ledgerEntryFor(targetLedger(), { baseId: `${featurePath(pickle.uri)}::${pickle.name}`, ...(example ? { example } : {}) });
  if (entry) state.entry = entry;
  let target: Awaited<ReturnType<typeof currentTarget>>;
  try {
    target = await currentTarget();
  } catch (e) {
    if (e instanceof TargetUnavailable) {
      const name = currentTargetName();
      this.attach(e.reason, TARGET_UNAVAILABLE_MEDIA_TYPE);
      if (allowUnavailable()) {
        this.attach(`${NOT_APPLICABLE_PREFIX}target ${name} is unavailable: ${e.reason}`, NOT_APPLICABLE_MEDIA_TYPE);
        state.skippedWithReason = true;
        return 'skipped';
      }
      throw new Error(`target ${name} is unavailable: ${e.reason} (nothing can be checked on it; --allow-unavailable reports this as not applicable instead)`);
    }
    throw e;
  }
  const missing = neededCapabilities(pickle.tags).filter((c) => !target.profile.capabilities.has(c as never));
  if (missing.length > 0) {
    this.attach(`${NOT_APPLICABLE_PREFIX}target ${target.profile.name} lacks ${missing.join(', ')}`, NOT_APPLICABLE_MEDIA_TYPE);
    state.skippedWithReason = true;
    return 'skipped';
  }
  this.target = target;
  // The scenario's lab (built here so that a scenario found not applicable builds nothing).
  await this.buildLab();
  return undefined;
});

BeforeStep(function (this: LabWorld, { pickleStep }) {
  const state = scenarios.get(this);
  if (state) state.step = pickleStep.text;
});

AfterStep(function (this: LabWorld) {
  const state = scenarios.get(this);
  if (state) state.step = undefined;
});

After({ name: 'verdict, packet trace and teardown' }, async function (this: LabWorld, { result }) {
  const state = scenarios.get(this);
  try {
    // Why an agent the harness started did what it did: its own words, kept with a failed scenario's report.
    const agentLog = result?.status === 'FAILED' ? await this.agent?.log?.() : undefined;
    if (agentLog) this.attach(agentLog, { mediaType: 'text/plain', fileName: 'agent.log' });
    if (this.trace.length > 0) {
      const trace: RadiusTrace = {
        version: 1,
        target: this.target?.profile.name ?? process.env.RMH_TARGET ?? 'embedded',
        virtualClock: this.agent?.onVirtualClock ?? true,
        events: this.trace.map((e) => ({
          observer: e.observer,
          direction: e.direction,
          at: e.at,
          local: { ...e.local },
          remote: { ...e.remote },
          ...(e.code === undefined ? {} : { code: e.code }),
          ...(e.identifier === undefined ? {} : { identifier: e.identifier }),
          ...(e.reason === undefined ? {} : { reason: e.reason }),
          ...(e.detail === undefined ? {} : { detail: e.detail }),
          bytes: Buffer.from(e.bytes).toString('hex'),
        })),
      };
      this.attach(JSON.stringify(trace), RADIUS_TRACE_MEDIA_TYPE);
    }
  } finally {
    await this.teardown();
  }
  if (!state || result === undefined) return;
  if (state.entry && result.status === 'PASSED') {
    this.attach(entryKey(state.entry), UNEXPECTED_PASS_MEDIA_TYPE);
    throw new Error(
      `unexpected pass: the ledger lists this scenario as a deviation ("${state.entry.reason}", step "${state.entry.step}" failing with /${state.entry.failure}/), but it passed: if the target was fixed, remove the entry`,
    );
  }
  if (result.status === 'SKIPPED' && !state.deviated && !state.skippedWithReason) {
    throw new Error('skipped without a not-applicable reason: declare what it needs with @needs:<capability> instead');
  }
});
