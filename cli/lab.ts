// `radius-mfa-harness lab --seed FILE [--host ADDR]`: the simulated world as
// real servers. Prints the endpoints as one JSON line on stdout (so a script
// can read it with `head -1`), runs until SIGINT/SIGTERM, then stops every
// server and exits 0. A bad seed is one line on stderr and exit 2; servers
// that cannot start: one line and exit 1, with nothing left running.
import { isCodedError } from '../agent/src/errors.ts';
import { Lab } from '../simulators/lab/lab.ts';

export interface LabCommandOptions {
  seed: string;
  host: string;
}

export async function labCommand(opts: LabCommandOptions): Promise<number> {
  let lab: Lab;
  try {
    lab = await Lab.fromFile(opts.seed);
  } catch (e) {
    return fail(e, 2);
  }
  let endpoints: Awaited<ReturnType<Lab['start']>>;
  try {
    endpoints = await lab.start({ host: opts.host });
  } catch (e) {
    return fail(e, 1);
  }
  // Listen before printing: whoever reads the line may signal at once.
  const signalled = waitForSignal();
  process.stdout.write(`${JSON.stringify(endpoints)}\n`);
  const signal = await signalled;
  process.stderr.write(`radius-mfa-harness lab: ${signal}, stopping\n`);
  await lab.stop();
  return 0;
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

function fail(e: unknown, exitCode: number): number {
  const text = isCodedError(e) ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
  // One line, whatever the message held.
  process.stderr.write(`radius-mfa-harness lab: ${text.replace(/\s*\n\s*/g, ' ')}\n`);
  return exitCode;
}
