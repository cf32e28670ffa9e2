/**
 * Loaded into the soak's API and worker (`node --expose-gc --import`). On SIGUSR2 it collects
 * all garbage and writes the process's memory to $SOAK_MEMORY_FILE: the soak compares what a
 * process keeps, not where its heap's sawtooth happened to stand when it was sampled (an API
 * went 157 MB to 206 MB and back to 142 MB in one CI run, with nothing kept).
 */
import fs from 'node:fs';

const file = process.env.SOAK_MEMORY_FILE;
if (file && typeof globalThis.gc === 'function') {
  process.on('SIGUSR2', () => {
    globalThis.gc();
    fs.writeFileSync(`${file}.part`, JSON.stringify(process.memoryUsage()));
    fs.renameSync(`${file}.part`, file);
  });
}
