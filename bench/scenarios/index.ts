import { burstyScenario } from './bursty.ts';
import { capacityScenario } from './capacity.ts';
import { ciScenario } from './ci.ts';
import { defaultScenario } from './default.ts';
import { protocolsScenario } from './protocols.ts';
import { resilienceScenario } from './resilience.ts';
import type { Scenario } from './schema.ts';

export const scenarios: Record<string, Scenario> = {
  default: defaultScenario,
  bursty: burstyScenario,
  capacity: capacityScenario,
  ci: ciScenario,
  protocols: protocolsScenario,
  resilience: resilienceScenario,
};
