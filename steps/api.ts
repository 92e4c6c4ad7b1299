/**
 * What a team's own step files import from the installed package
 * (`import { stepsFor, type LabWorld } from 'radius-mfa-harness/steps'`): the
 * same catalogue the harness's steps register in, so `radius-mfa-harness steps`,
 * the report's step page and the editor's catalogue list the team's steps too.
 * The harness's support code (World, hooks, parameter types) is loaded by the
 * Cucumber preset (`radius-mfa-harness/cucumber`), never by this module.
 */
export { type CatalogueEntry, catalogue, type StepDoc, type StepFn, type StepKeyword, stepsFor } from './support/catalogue.ts';
export type { AppName, Channel, Person } from './support/parameters.ts';
export type { LabWorld } from './support/world.ts';
