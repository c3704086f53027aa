/**
 * Contract (servers/contract/). Imported by the payload generator (payload.ts) and the network
 * emulator's path model (bench/network/path-model.ts).
 *
 * mulberry32: a tiny, fast, well-mixed 32-bit PRNG, deterministic per seed: the same seed gives the
 * same payloads and the same emulated path, run to run. Plenty for test data, not for secrets.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}
