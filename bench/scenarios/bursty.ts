import { defaultScenario } from './default.ts';
import type { Scenario } from './schema.ts';

/** Events arrive in bursts (10 at once every second): where short polling coalesces for free. */
export const burstyScenario: Scenario = {
  ...defaultScenario,
  name: 'bursty',
  description:
    'Bursts of 10 events every 1000 ms to 200 clients, 256-byte payload; poll intervals of 1000 ms and 250 ms.',
  matrix: {
    ...defaultScenario.matrix,
    exclude: undefined,
    // The default's second wire (Chromium's headers) belongs to its classic cell only, and its 4g path
    // to its 20/s cell: this scenario's cells run on loopback, as its description says.
    headers: undefined,
    networks: undefined,
    shapes: [{ kind: 'burst', size: 10, everyMs: 1000 }],
    clients: [200],
  },
};
