/**
 * Hooks: the capability check (scenarios a target can't run are reported not
 * applicable, with the reason, never silently skipped or passed; those that
 * can run get their lab, built from the scenario seed), the packet trace
 * attachment, the lab's teardown, and the target's lifecycle (one per run per
 * worker: forgotten in BeforeAll, closed in AfterAll).
 */
import { After, AfterAll, Before, BeforeAll, setDefaultTimeout } from '@cucumber/cucumber';
import { TargetUnavailable } from '../targets/target.ts';
import {
  NOT_APPLICABLE_MEDIA_TYPE,
  NOT_APPLICABLE_PREFIX,
  RADIUS_TRACE_MEDIA_TYPE,
  type RadiusTrace,
} from './verdict-markers.ts';
import { closeCurrentTarget, currentTarget, type LabWorld } from './world.ts';

// A step may drive several RADIUS timeouts; on real-time targets they take real time.
setDefaultTimeout(60_000);

/** The capabilities a scenario's tags ask for (`@needs:<capability>`). */
export function neededCapabilities(tags: readonly { name: string }[]): string[] {
  return tags.filter((t) => t.name.startsWith('@needs:')).map((t) => t.name.slice('@needs:'.length));
}

// One target per run (per worker): a run in a process that already ran one starts from nothing,
// and whatever the target holds for the run (servers, containers) is released at its end.
BeforeAll({ name: "forget an earlier run's target", timeout: 120_000 }, async () => {
  await closeCurrentTarget();
});

AfterAll({ name: 'release the target', timeout: 120_000 }, async () => {
  await closeCurrentTarget();
});

Before({ name: 'capability check' }, async function (this: LabWorld, { pickle }) {
  let target: Awaited<ReturnType<typeof currentTarget>>;
  try {
    target = await currentTarget();
  } catch (e) {
    if (e instanceof TargetUnavailable) {
      this.attach(`${NOT_APPLICABLE_PREFIX}target ${process.env.RMH_TARGET ?? 'embedded'} is unavailable: ${e.reason}`, NOT_APPLICABLE_MEDIA_TYPE);
      return 'skipped';
    }
    throw e;
  }
  const missing = neededCapabilities(pickle.tags).filter((c) => !target.profile.capabilities.has(c as never));
  if (missing.length > 0) {
    this.attach(`${NOT_APPLICABLE_PREFIX}target ${target.profile.name} lacks ${missing.join(', ')}`, NOT_APPLICABLE_MEDIA_TYPE);
    return 'skipped';
  }
  this.target = target;
  // The scenario's lab (built here so that a scenario found not applicable builds nothing).
  await this.buildLab();
  return undefined;
});

After({ name: 'packet trace and teardown' }, async function (this: LabWorld) {
  try {
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
});
