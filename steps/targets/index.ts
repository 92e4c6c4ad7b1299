import type { TargetDriver } from './target.ts';

/**
 * The registry of targets. Each module exports
 * `createTarget(options: TargetOptions): Promise<TargetDriver>`; loaded only when
 * chosen so the embedded default never pays for podman or FreeRADIUS.
 */
export interface TargetOptions {
  /** Profile file of an external target. */
  profile?: string;
}

const modules: Record<string, () => Promise<{ createTarget(o: TargetOptions): Promise<TargetDriver> }>> = {
  embedded: () => import('./embedded.ts'),
  process: () => import('./process.ts'),
  container: () => import('./container.ts'),
  freeradius: () => import('./freeradius.ts'),
  external: () => import('./external.ts'),
};

export const targetNames = Object.keys(modules);

export async function loadTarget(name: string, options: TargetOptions = {}): Promise<TargetDriver> {
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
