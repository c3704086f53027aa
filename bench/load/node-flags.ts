/**
 * Node flags of the load-generator process (the harness, never the server under test). Its clients
 * allocate a little for every message and every poll (undici's parser, the decoded event, promises),
 * tens of thousands per event at 10,000+ clients: in V8's default young generation (16 MiB semi-spaces)
 * that was a scavenge every few milliseconds, a third of the process's time for long polling (CPU
 * profile, 10,000 clients at 1 event/s). Larger semi-spaces collect the same garbage in fewer,
 * barely longer scavenges (their cost follows what survives, not what died), and the process holds
 * up to 3 x 64 MiB more, nothing a load generator misses. Nothing it counts changes.
 */
export const LOAD_NODE_FLAGS = ['--max-semi-space-size=64'];
