import { openSandbox } from './support.ts';
const sb = await openSandbox({ prestart: Number(process.env.P ?? 1) });
const N = Number(process.env.N ?? 200);
await sb.idle();
const c0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  await sb.run({ argv: ['/bin/true'], env: { PATH: '/usr/bin:/bin' } });
  await sb.idle();
}
const c = process.cpuUsage(c0);
process.stderr.write(
  `per run: wall ${((performance.now() - t0) / N).toFixed(2)} ms, cpu user ${(c.user / N / 1000).toFixed(2)} sys ${(c.system / N / 1000).toFixed(2)} ms\n`,
);
await sb.close();
