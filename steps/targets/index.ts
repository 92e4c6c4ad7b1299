import type { TargetDriver } from './target.ts';
import { CONTROL_VARIANT, ZOO_VARIANTS } from './zoo/variants.ts';

/**
 * The registry of targets. Each module exports
 * `createTarget(options: TargetOptions): Promise<TargetDriver>`; loaded only when
 * chosen so the embedded default never pays for podman or FreeRADIUS.
 *
 * Zoo targets (steps/targets/zoo.ts): `zoo:<variant>` is one broken agent;
 * `zoo` stands for all of them and is expanded by `expandTargetNames` before a
 * run (one Cucumber run per variant).
 */
export interface TargetOptions {
  /** Profile file of an external target. */
  profile?: string;
}

const modules: Record<string, () => Promise<{ createTarget(o: TargetOptions & { variant?: string }): Promise<TargetDriver> }>> = {
  embedded: () => import('./embedded.ts'),
  process: () => import('./process.ts'),
  container: () => import('./container.ts'),
  freeradius: () => import('./freeradius.ts'),
  external: () => import('./external.ts'),
};

export const ZOO = 'zoo';
/** Every zoo target name, the control last. */
export const ZOO_TARGET_NAMES: readonly string[] = [...ZOO_VARIANTS, CONTROL_VARIANT].map((v) => `${ZOO}:${v.name}`);
export const targetNames: readonly string[] = [...Object.keys(modules), ZOO, ...ZOO_TARGET_NAMES];

/** `zoo` → every `zoo:<variant>` (the control included, last); other names unchanged; order kept, no repeats. */
export function expandTargetNames(names: readonly string[]): string[] {
  const out: string[] = [];
  for (const n of names) for (const m of n === ZOO ? ZOO_TARGET_NAMES : [n]) if (!out.includes(m)) out.push(m);
  return out;
}

export function isZooTarget(name: string): boolean {
  return name.startsWith(`${ZOO}:`);
}

export async function loadTarget(name: string, options: TargetOptions = {}): Promise<TargetDriver> {
  if (name === ZOO) {
    throw new Error(`"${ZOO}" names every zoo variant: expand it first (expandTargetNames) and run each of ${ZOO_TARGET_NAMES.join(', ')}.`);
  }
  const driver = await createDriver(name, options);
  // `run --okta-org`: the agent's Okta is an org reached through the Management API (steps/targets/okta-org.ts).
  const { oktaOrgFromEnv, withOktaOrg } = await import('./okta-org.ts');
  const org = oktaOrgFromEnv();
  return org ? withOktaOrg(driver, org) : driver;
}

async function createDriver(name: string, options: TargetOptions): Promise<TargetDriver> {
  if (isZooTarget(name)) {
    if (!ZOO_TARGET_NAMES.includes(name)) throw new Error(`Unknown target "${name}". Choose one of: ${targetNames.join(', ')}.`);
    const zoo = await import('./zoo.ts');
    return zoo.createTarget({ variant: name.slice(ZOO.length + 1) });
  }
  const load = modules[name];
  if (!load) {
    throw new Error(`Unknown target "${name}". Choose one of: ${targetNames.join(', ')}.`);
  }
  const mod = await load();
  return mod.createTarget(options);
}

/** The target chosen for this run: RMH_TARGET (set by `radius-mfa-harness run`), default embedded. */
export function currentTargetName(): string {
  return process.env.RMH_TARGET ?? 'embedded';
}
