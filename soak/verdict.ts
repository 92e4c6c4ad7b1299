/**
 * What one exchange under chaos means, apart from the run that makes it (so
 * the rule itself is tested): an Access-Accept where only a reject is right is
 * a wrong accept; a request of which at least one copy reached the agent but
 * that got no answer by its deadline is unanswered; one whose every copy the
 * simulated loss dropped says nothing about the agent.
 */
import type { ExchangeResult } from './rig.ts';

export type Verdict = 'fine' | 'wrong-accept' | 'unanswered' | 'lost-on-the-wire';

export function verdictOf(r: Pick<ExchangeResult, 'answer' | 'delivered' | 'agentAnswered'>, mustReject: boolean): Verdict {
  if (r.answer === 'accept') return mustReject ? 'wrong-accept' : 'fine';
  if (r.answer === 'lost') return r.delivered > 0 && !r.agentAnswered ? 'unanswered' : 'lost-on-the-wire';
  return 'fine';
}
