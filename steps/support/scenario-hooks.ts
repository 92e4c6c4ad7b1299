/**
 * The scenario's words, checked before it runs: every step must match a
 * catalogued step with allowed parameter words (step-lint.ts explains the
 * first one that doesn't, with the allowed values), and the World learns the
 * scenario's tags; a @no-agent scenario must not reach the agent. Before each
 * step the World forgets who the previous step named as its subject.
 */
import { After, Before, BeforeStep } from '@cucumber/cucumber';
import { catalogue } from './catalogue.ts';
import { diagnoseStep } from './step-lint.ts';
import { type LabWorld, NO_AGENT_TAG } from './world.ts';

Before({ name: 'check the scenario\u2019s words' }, function (this: LabWorld, { pickle }) {
  this.scenarioTags = pickle.tags.map((t) => t.name);
  const patterns = catalogue();
  for (const step of pickle.steps) {
    const problem = diagnoseStep(step.text, patterns);
    if (problem) throw new Error(problem);
  }
});

BeforeStep(function (this: LabWorld) {
  this.subjectNamedInStep = false;
});

After({ name: 'a @no-agent scenario did not reach the agent' }, function (this: LabWorld, { result }) {
  if (!this.scenarioTags.includes(NO_AGENT_TAG) || result?.status !== 'PASSED') return;
  const contact = this.agentContact();
  if (contact) throw new Error(`This scenario is tagged ${NO_AGENT_TAG} (a simulator check, run once apart from the targets) but ${contact}: remove the tag.`);
});
