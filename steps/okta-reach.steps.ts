// Okta out of reach: network errors, as opposed to Okta answering with an error (okta.steps.ts).
import { stepsFor } from './support/catalogue.ts';
import type { LabWorld } from './support/world.ts';

const { Given } = stepsFor<LabWorld>('okta');

Given(
  'Okta cannot be reached',
  {
    description: "Every call to Okta fails as a network error (no HTTP answer: the connection is cut), until 'Okta allows requests again'.",
    example: 'Given Okta cannot be reached',
  },
  function (this: LabWorld) {
    this.org.failNextWithNetworkError(Number.POSITIVE_INFINITY);
  },
);
