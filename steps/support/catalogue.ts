/**
 * The step catalogue: every Gherkin step QA can use, with its area, what it
 * does and an example line. Step files register through {@link stepsFor} rather
 * than Cucumber's Given/When/Then directly, so a step cannot exist without its
 * documentation; `radius-mfa-harness steps` prints the catalogue.
 */
import { Given as cucumberGiven, Then as cucumberThen, When as cucumberWhen } from '@cucumber/cucumber';

export type StepKeyword = 'Given' | 'When' | 'Then';

export interface StepDoc {
  /** What the step does, in the reader's words (one or two sentences). */
  description: string;
  /** A complete Gherkin line using the step, keyword (or And/But) included, e.g. "Given Alice has Okta Verify on her phone". */
  example: string;
  /** Step timeout in ms when the default (see hooks.ts) is not enough. */
  timeout?: number;
}

export interface CatalogueEntry extends Omit<StepDoc, 'timeout'> {
  keyword: StepKeyword;
  /** The Cucumber expression. */
  pattern: string;
  /** Area the step belongs to (the step file's topic, e.g. 'sign-in', 'factors'). */
  area: string;
}

const entries: CatalogueEntry[] = [];

/** Every registered step, in registration order. */
export function catalogue(): readonly CatalogueEntry[] {
  return entries;
}

/**
 * A step function: `this` is the scenario's World; parameters arrive already
 * transformed by their parameter types. (Typed with `never[]` so any concrete
 * parameter list is accepted.)
 */
export type StepFn<W> = (this: W, ...args: never[]) => unknown;

type Register<W> = (pattern: string, doc: StepDoc, fn: StepFn<W>) => void;

export interface StepRegistrars<W> {
  Given: Register<W>;
  When: Register<W>;
  Then: Register<W>;
}

// Cucumber's own registration signature, without the overloads.
type CucumberRegister = (pattern: string, options: { timeout?: number }, code: (...args: unknown[]) => unknown) => void;

const registrars: Record<StepKeyword, CucumberRegister> = {
  Given: cucumberGiven as unknown as CucumberRegister,
  When: cucumberWhen as unknown as CucumberRegister,
  Then: cucumberThen as unknown as CucumberRegister,
};

/** Given/When/Then for one area of steps; each records its doc in the catalogue. */
export function stepsFor<W>(area: string): StepRegistrars<W> {
  const make =
    (keyword: StepKeyword): Register<W> =>
    (pattern, doc, fn) => {
      if (!doc.description.trim() || !/^(Given|When|Then|And|But) /.test(doc.example)) {
        throw new Error(
          `Step "${pattern}": give it a description and a complete example line (starting with Given/When/Then/And/But; the catalogue shows both).`,
        );
      }
      entries.push({ keyword, pattern, area, description: doc.description, example: doc.example });
      const options = doc.timeout === undefined ? {} : { timeout: doc.timeout };
      registrars[keyword](pattern, options, fn as unknown as (...args: unknown[]) => unknown);
    };
  return { Given: make('Given'), When: make('When'), Then: make('Then') };
}
