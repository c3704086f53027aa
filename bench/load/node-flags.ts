/**
 * Node flags of the load-generator process (the harness, never the server under test). Its clients
 * allocate a little for every message and every poll (undici's parser, the decoded event, promises),
 * tens of thousands per event at 10,000+ clients: in V8's default young generation (16 MiB semi-spaces)
 * scavenges were a third of the process's profile for long polling (10,000 clients at 1 event/s), each
 * one a pause of the loop that stamps arrival times. Larger semi-spaces collect the same garbage in
 * fewer pauses (a scavenge costs what survives, not what died). Measured, 20,000 undici polls in one
 * process, twice each: GC pauses 537 and 1,023 ms by default, 335 and 548 ms with 64 MiB; CPU time
 * 1-3% lower. The process may hold up to 3 x 64 MiB more, nothing a load generator misses; nothing it
 * counts changes.
 */
export const LOAD_NODE_FLAGS = ['--max-semi-space-size=64'];
